package io.loladeft.finetune.blocks;

import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.EncoderNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tensors belong to which block. Block {@code l} (1-based, 1 = next to the input) sits at
 * encoder layer {@code l}; its depth is {@code L - l + 1}, the number of layers the backward pass
 * crosses from the head to reach it.
 *
 * <p>The task head ({@code classifier.*}) is trained with the depth-1 block (layer L): every device
 * already back-propagates through the head, so it adds only the head's own weight gradient to the
 * cheapest block, and it is updated every round like every block. With
 * {@link BlockSpec#trainEmbeddings()} the embeddings travel with the block at layer 1.
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

    public int numBlocks() {
        return config.numLayers();
    }

    public int depthOf(int layer) {
        checkLayer(layer);
        return config.numLayers() - layer + 1;
    }

    public int layerAtDepth(int depth) {
        if (depth < 1 || depth > config.numLayers()) {
            throw new IllegalArgumentException("depth " + depth + " outside 1.." + config.numLayers());
        }
        return config.numLayers() - depth + 1;
    }

    /** Tensor names (HF naming) of the block at {@code layer}, head and embeddings included where they ride. */
    public List<String> tensorsOf(int layer) {
        checkLayer(layer);
        int i = layer - 1;
        List<String> names = new ArrayList<>(switch (spec.kind()) {
            case LAYER -> naming.layerTensors(i);
            case LORA -> naming.loraTensors(i);
            case ADAPTER -> naming.adapterTensors(i);
        });
        if (layer == 1 && spec.trainEmbeddings()) {
            names.addAll(naming.embeddingTensors());
        }
        if (layer == config.numLayers()) {
            names.addAll(naming.headTensors());
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
        for (int l = 1; l <= config.numLayers(); l++) {
            out.addAll(tensorsOf(l));
        }
        return out;
    }

    /** The block a trainable tensor belongs to, or -1 if it belongs to none (frozen backbone). */
    public int layerOf(String tensor) {
        for (int l = 1; l <= config.numLayers(); l++) {
            if (tensorsOf(l).contains(tensor)) {
                return l;
            }
        }
        return -1;
    }

    /** Parameters of the block at {@code layer} (what the planner calls P_n), head and embeddings included. */
    public long parameterCount(int layer) {
        long n = 0;
        for (String t : tensorsOf(layer)) {
            n += EncoderNames.numel(naming.shapeOf(config, spec, t));
        }
        return n;
    }

    private void checkLayer(int layer) {
        if (layer < 1 || layer > config.numLayers()) {
            throw new IllegalArgumentException("layer " + layer + " outside 1.." + config.numLayers());
        }
    }
}
