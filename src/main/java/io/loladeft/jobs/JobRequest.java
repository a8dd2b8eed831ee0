package io.loladeft.jobs;

import io.loladeft.plans.PlanRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.UUID;

/**
 * A fine-tuning job: exactly one of a stored {@code planId} or an inline {@code plan} (planned and
 * stored first), the GLUE task and where its data is, and the training settings. Omitted settings
 * come from the plan's {@code training} (batchSize, seqLen, rounds) or the documented defaults.
 */
@Schema(description = "A plan to run: cooperative fine-tuning rounds on a GLUE task")
public record JobRequest(
        @Schema(description = "A stored plan; or give `plan` inline")
        UUID planId,

        @Schema(description = "A plan request to plan and store first; or give `planId`") @Valid
        PlanRequest plan,

        @Schema(
                description = "GLUE task: cola, sst2, mrpc, stsb, qqp, mnli, mnli-mm, qnli, rte, wnli",
                example = "sst2")
        @NotBlank
        @Size(max = 32)
        String task,

        @Schema(
                description = "GLUE directory (holds SST-2/train.tsv ...), inside loladeft.files.roots",
                example = "glue")
        @NotBlank
        @Size(max = 4096)
        String dataDir,

        @Schema(description = "Hugging Face checkpoint directory; overrides the model's weightsDir") @Size(max = 4096)
        String weightsDir,

        @Schema(
                description = "Directory with tokenizer.json, or vocab.json and merges.txt; overrides the model's"
                        + " tokenizerDir (a pretrained model brings its own)",
                example = "roberta-base")
        @Size(max = 4096)
        String tokenizerDir,

        @Schema(description = "Rounds to run; default the plan's training.rounds", example = "20")
        @Min(1)
        @Max(100_000_000)
        Integer rounds,

        @Schema(description = "The local optimizer: adamw (default) or sgd", example = "adamw")
        @Pattern(regexp = "adamw|sgd", message = "must be adamw or sgd")
        String optimizer,

        @Schema(
                description = "Peak learning rate, reached after the warm-up, then decaying linearly to zero;"
                        + " default 0.001 (adamw), 0.05 (sgd)",
                example = "0.001")
        @Positive
        @DecimalMax("100")
        Double learningRate,

        @Schema(
                description = "AdamW's decoupled weight decay, not on biases and LayerNorm; default 0.01",
                example = "0.01")
        @DecimalMin("0")
        @DecimalMax("1")
        Double weightDecay,

        @Schema(
                description = "Fraction of the rounds spent warming the learning rate up; default 0.06",
                example = "0.06")
        @DecimalMin("0")
        @DecimalMax("1")
        Double warmupFraction,

        @Schema(
                description = "Clip each block's gradient to this norm before its update (0: off); default 1.0",
                example = "1.0")
        @DecimalMin("0")
        @DecimalMax("1e6")
        Double maxGradNorm,

        @Schema(description = "Mini-batch size; default the plan's training.batchSize", example = "16")
        @Min(1)
        @Max(65536)
        Integer batchSize,

        @Schema(description = "Longest token sequence; default the plan's training.seqLen", example = "64")
        @Min(3)
        @Max(65536)
        Integer seqLen,

        @Schema(
                description = "How a round's devices are run: `fused` computes every device's update in one"
                        + " forward and backward pass (the same updates when each device does one local iteration from"
                        + " the round's state and batch; compute seconds shared among devices by the cost model's FLOPs),"
                        + " `per-device` trains each device's item on its own and measures it; default fused with one"
                        + " local iteration, else per-device",
                example = "fused")
        @Pattern(regexp = "fused|per-device", message = "must be fused or per-device")
        String execution,

        @Schema(description = "Evaluate on the dev set every this many rounds (0: only after the last)", example = "5")
        @Min(0)
        @Max(100_000_000)
        Integer evalEvery,

        @Schema(description = "Seed of the model's initialisation and the mini-batch order, default 0", example = "7")
        Long seed,

        @Schema(description = "Fail the job if it has not finished this many seconds after submission")
        @Min(1)
        @Max(31_622_400)
        Long deadlineSeconds,

        @Schema(
                description =
                        "The uplink channel the emulation runs under, as in POST /plans/simulate: block fading"
                                + " around each device's mean gain, seeded by `seed`; default static (the plan's gains every round)")
        @Valid
        PlanRequest.ChannelRequest channel,

        @Schema(
                description = "When to re-plan: static (default: keep the plan; re-plan only when devices leave),"
                        + " every-round (the exact optimum for each round's gains and measured speeds, moving blocks only"
                        + " when that pays within the round), on-drift (after a round whose emulated latency drifted from its"
                        + " prediction by more than loladeft.jobs.drift-tolerance)",
                example = "every-round")
        @Pattern(regexp = "static|every-round|on-drift", message = "must be static, every-round or on-drift")
        String replan) {}
