package io.loladeft.registry;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.MeasuredProfile;
import io.loladeft.common.ValidProfile;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * A foundation model to fine-tune: the registry's body, and without {@code name} the inline model
 * other endpoints take. {@code block} defaults to LoRA rank 8, {@code precision} to fp32.
 */
@Schema(description = "A RoBERTa or BERT model and how it is split into parameter blocks")
public record ModelRequest(
        @Schema(description = "Unique key, a DNS label", example = "roberta-base")
        @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE)
        String name,

        @Valid Architecture architecture,
        @Valid BlockConfig block,
        Precision precision,

        @Schema(description = "Directory with config.json and model.safetensors on the workers") @Size(max = 4096)
        String weightsDir,

        @Schema(description = "Directory with tokenizer.json, or vocab.json and merges.txt, on the workers")
        @Size(max = 4096)
        String tokenizerDir,

        @Schema(
                description = "A pretrained model the service ships (all-minilm-l6-v2): its weights and tokenizer,"
                        + " imported on first use; instead of weightsDir",
                example = "all-minilm-l6-v2")
        @Size(max = 64)
        String pretrained,

        @Schema(description = "Profile measured on one host; scaled to each device by hostFlops / computeFlops")
        @ValidProfile
        MeasuredProfile profile) {

    /** The same model with the documented defaults filled in. */
    public ModelRequest withDefaults() {
        return new ModelRequest(
                name,
                architecture,
                block == null ? BlockConfig.DEFAULT : block,
                precision == null ? Precision.FP32 : precision,
                weightsDir,
                tokenizerDir,
                pretrained,
                profile);
    }

    ModelRequest withName(String newName) {
        return new ModelRequest(newName, architecture, block, precision, weightsDir, tokenizerDir, pretrained, profile);
    }

    /**
     * What Bean Validation cannot say field by field: the parts that depend on each other.
     * Field paths start with {@code prefix} (empty for the registry, {@code model.} inline).
     */
    public List<FieldViolation> crossFieldViolations(String prefix) {
        List<FieldViolation> errors = new ArrayList<>();
        if (architecture == null) {
            errors.add(new FieldViolation(prefix + "architecture", "must not be null"));
        } else if (architecture.hidden() != null
                && architecture.heads() != null
                && architecture.hidden() % architecture.heads() != 0) {
            errors.add(new FieldViolation(
                    prefix + "architecture.heads", "must divide hidden (" + architecture.hidden() + ")"));
        }
        if (pretrained != null) {
            ModelRequest known = ModelPresets.ALL.get(pretrained);
            if (known == null || known.pretrained() == null) {
                errors.add(new FieldViolation(
                        prefix + "pretrained",
                        "unknown pretrained model; known: " + String.join(", ", ModelPresets.pretrainedNames())));
            } else if (architecture != null && !architecture.equals(known.architecture())) {
                errors.add(new FieldViolation(
                        prefix + "architecture", "must be " + pretrained + "'s: " + known.architecture()));
            }
            if (weightsDir != null) {
                errors.add(new FieldViolation(prefix + "weightsDir", "give either weightsDir or pretrained"));
            }
        }
        BlockConfig b = block == null ? BlockConfig.DEFAULT : block;
        if (b.kind() == BlockConfig.Kind.LORA && (b.rank() == null || b.alpha() == null)) {
            errors.add(new FieldViolation(prefix + "block", "lora needs rank and alpha"));
        }
        if (b.kind() == BlockConfig.Kind.ADAPTER && b.bottleneck() == null) {
            errors.add(new FieldViolation(prefix + "block.bottleneck", "adapter needs a bottleneck"));
        }
        if (profile != null
                && architecture != null
                && architecture.layers() != null
                && profile.computeSeconds() != null
                && profile.computeSeconds().size() != architecture.layers()) {
            errors.add(new FieldViolation(
                    prefix + "profile.computeSeconds",
                    "must have one entry per layer (" + architecture.layers() + ")"));
        }
        return errors;
    }
}
