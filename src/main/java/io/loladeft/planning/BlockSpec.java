package io.loladeft.planning;

/**
 * The kind and size of the fine-tuned block attached to a layer.
 *
 * @param kind       LoRA, adapter or whole layer
 * @param rank       LoRA rank {@code r} (0 unless {@code kind == LORA})
 * @param alpha      LoRA scaling alpha (does not change costs; 0 unless {@code kind == LORA})
 * @param bottleneck adapter width {@code m} (0 unless {@code kind == ADAPTER})
 */
public record BlockSpec(BlockKind kind, int rank, double alpha, int bottleneck) {

    public static BlockSpec lora(int rank, double alpha) {
        return new BlockSpec(BlockKind.LORA, rank, alpha, 0);
    }

    public static BlockSpec adapter(int bottleneck) {
        return new BlockSpec(BlockKind.ADAPTER, 0, 0, bottleneck);
    }

    public static BlockSpec layer() {
        return new BlockSpec(BlockKind.LAYER, 0, 0, 0);
    }
}
