package io.loladeft.finetune.blocks;

import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.EncoderNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tensors belong to which block: the trainer's block list, the same as the planner's (docs/planning.md,
 * "Blocks"). Block {@code l} for {@code l = 1..L} (1 = next to the input) holds the model's block kind at encoder
 * layer {@code l}; its depth is {@code L - l + 1}, the number of layers the backward pass crosses from the head to
 * reach it. Block {@code L + 1} ({@link #headBlock()}, kind {@link BlockKind#HEAD}) is the task head
 * ({@code classifier.*}): depth 0, as training it alone crosses no encoder layer. Every block, the head included, is
 * assigned to exactly one device per round. With {@link BlockSpec#trainEmbeddings()} the embeddings travel with the
 * block at layer 1.
 */
public final class BlockLayout {

    private final EncoderConfig config;
    private final BlockSpec spec;
    private final EncoderNames naming;

    public BlockLayout(EncoderConfig config, BlockSpec spec) {
        this.config = config;
        this.spec = spec;
        this.naming = EncoderNames.of(config);
    }

    public EncoderConfig config() {
        return config;
    }

    public BlockSpec spec() {
        return spec;
    }

    /** Blocks in all, {@code L + 1}: one per encoder layer and the head. */
    public int numBlocks() {
        return blockCount(config.numLayers());
    }

    /** Blocks of a model of {@code layers} encoder layers: one per layer and the head. */
    public static int blockCount(int layers) {
        return layers + 1;
    }

    /** The head's block, {@code L + 1}. */
    public int headBlock() {
        return headBlockOf(config.numLayers());
    }

    /** The head's block of a model of {@code layers} encoder layers, {@code layers + 1}. */
    public static int headBlockOf(int layers) {
        return layers + 1;
    }

    /** The kind of block {@code block}: the spec's kind at layers 1..L, {@link BlockKind#HEAD} at L+1. */
    public BlockKind kindOf(int block) {
        checkLayer(block);
        return block == headBlock() ? BlockKind.HEAD : spec.kind();
    }

    /** Layers the backward pass crosses to train block {@code layer}: {@code L - layer + 1}, 0 for the head. */
    public int depthOf(int layer) {
        checkLayer(layer);
        return config.numLayers() - layer + 1;
    }

    /** The encoder block at {@code depth} (1..L). */
    public int layerAtDepth(int depth) {
        if (depth < 1 || depth > config.numLayers()) {
            throw new IllegalArgumentException("depth " + depth + " outside 1.." + config.numLayers());
        }
        return config.numLayers() - depth + 1;
    }

    /** Tensor names (HF naming) of block {@code layer} (1..L+1), the embeddings included where they ride. */
    public List<String> tensorsOf(int layer) {
        checkLayer(layer);
        int i = layer - 1;
        List<String> names = new ArrayList<>(
                switch (kindOf(layer)) {
                    case LAYER -> naming.layerTensors(i);
                    case LORA -> naming.loraTensors(i);
                    case ADAPTER -> naming.adapterTensors(i);
                    case HEAD -> naming.headTensors();
                });
        if (layer == 1 && spec.trainEmbeddings()) {
            names.addAll(naming.embeddingTensors());
        }
        return names;
    }

    public Set<String> tensorsOf(Collection<Integer> layers) {
        Set<String> out = new LinkedHashSet<>();
        for (int l : layers) {
            out.addAll(tensorsOf(l));
        }
        return out;
    }

    /** Every trainable tensor: the union over all blocks. */
    public Set<String> allTrainable() {
        Set<String> out = new LinkedHashSet<>();
        for (int l = 1; l <= numBlocks(); l++) {
            out.addAll(tensorsOf(l));
        }
        return out;
    }

    /** Parameters of block {@code layer} (what the planner calls P_n), the embeddings included where they ride. */
    public long parameterCount(int layer) {
        long n = 0;
        for (String t : tensorsOf(layer)) {
            n += EncoderNames.numel(naming.shapeOf(config, spec, t));
        }
        return n;
    }

    private void checkLayer(int layer) {
        if (layer < 1 || layer > numBlocks()) {
            throw new IllegalArgumentException(
                    "block " + layer + " outside 1.." + numBlocks() + " (" + numBlocks() + " is the head)");
        }
    }
}
