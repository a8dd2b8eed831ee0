package io.loladeft.finetune.cli;

import io.loladeft.finetune.blocks.BlockKind;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.pretrained.PretrainedModels;
import io.loladeft.finetune.train.ModelSource;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** The options every command shares: which model, which block kind, and the flags they take. */
final class ModelOptions {

    /** Options that take no value. */
    static final Set<String> FLAGS = Set.of("train-embeddings", "quiet", "in-process");

    /** Options of the model, its blocks and the report, accepted by every command that trains. */
    static final Set<String> NAMES = Set.of(
            "model",
            "layers",
            "hf-model",
            "pretrained",
            "model-cache",
            "seed",
            "dropout",
            "kind",
            "lora-rank",
            "lora-alpha",
            "adapter-size",
            "train-embeddings",
            "optimizer",
            "out",
            "quiet");

    private ModelOptions() {}

    /** {@link #NAMES} and a command's own options. */
    static Set<String> with(String... own) {
        Set<String> all = new HashSet<>(NAMES);
        all.addAll(Set.of(own));
        return Set.copyOf(all);
    }

    /** A preset name (tiny, small, minilm, base, large) or a path to a config.json. */
    static EncoderConfig config(String name, int numLabels, int layersOverride, int maxLen) {
        EncoderConfig c = switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" ->
                EncoderConfig.roberta(2, 32, 4, 64, EncoderConfig.ROBERTA_VOCAB, Math.max(66, maxLen + 2), numLabels)
                        .withDropout(0f, 0f);
            case "small" ->
                EncoderConfig.roberta(
                        4, 128, 4, 512, EncoderConfig.ROBERTA_VOCAB, Math.max(130, maxLen + 2), numLabels);
            case "minilm", "all-minilm-l6-v2" -> EncoderConfig.miniLmL6(numLabels);
            case "base", "roberta-base" -> EncoderConfig.robertaBase(numLabels);
            case "large", "roberta-large" -> EncoderConfig.robertaLarge(numLabels);
            default -> EncoderConfig.fromJson(Path.of(name), numLabels);
        };
        return layersOverride > 0 ? c.withLayers(layersOverride) : c;
    }

    /** {@code --kind} and its size options. */
    static BlockSpec blockSpec(Args a) {
        BlockKind kind = BlockKind.parse(a.str("kind", "layer"));
        BlockSpec s = switch (kind) {
            case LORA -> BlockSpec.lora(a.integer("lora-rank", 8), (float) a.number("lora-alpha", 16));
            case ADAPTER -> BlockSpec.adapter(a.integer("adapter-size", 64));
            case LAYER -> BlockSpec.layer();
            case HEAD -> throw new IllegalArgumentException("the head is no model's block kind"); // parse refuses it
        };
        return s.withTrainEmbeddings(a.flag("train-embeddings"));
    }

    /** {@code --pretrained}, {@code --hf-model}, or a seeded preset ({@code --model}, {@code --layers}, {@code --dropout}). */
    static ModelSource source(Args a, int numLabels, int maxLen) {
        long seed = a.integer("seed", 1);
        String hf = a.str("hf-model", null);
        String pretrained = a.str("pretrained", null);
        if (pretrained != null) {
            Path dir = PretrainedModels.resolve(pretrained, Path.of(a.str("model-cache", "data/models")));
            return ModelSource.huggingFace(dir, numLabels, seed);
        }
        if (hf != null) {
            return ModelSource.huggingFace(Path.of(hf), numLabels, seed);
        }
        EncoderConfig c = config(a.str("model", "tiny"), numLabels, a.integer("layers", 0), maxLen);
        double drop = a.number("dropout", -1);
        if (drop >= 0) {
            c = c.withDropout((float) drop, (float) drop);
        }
        return ModelSource.seeded(c, seed);
    }
}
