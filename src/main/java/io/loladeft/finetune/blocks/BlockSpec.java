package io.loladeft.finetune.blocks;

/**
 * How the fine-tuning parameters are cut into blocks, one per layer (the task head is a block of its own, see
 * {@link BlockLayout}).
 *
 * @param kind            lora, adapter or layer
 * @param rank        LoRA rank r (query and value projections), used when kind is lora
 * @param alpha       LoRA alpha; the update is scaled by alpha / r
 * @param bottleneck     adapter bottleneck width m, used when kind is adapter
 * @param trainEmbeddings whether the embeddings (word, position, token type, their LayerNorm) are
 *                        trained too, as part of the block at layer 1 (depth L). Off for PEFT on a
 *                        pretrained backbone; on for a model trained from scratch.
 */
public record BlockSpec(BlockKind kind, int rank, float alpha, int bottleneck, boolean trainEmbeddings) {

    public BlockSpec {
        if (kind == null || kind == BlockKind.HEAD) {
            throw new IllegalArgumentException("block kind lora, adapter or layer is required, got " + kind);
        }
        if (kind == BlockKind.LORA && (rank <= 0 || !(alpha > 0))) {
            throw new IllegalArgumentException("lora needs rank > 0 and alpha > 0, got r=" + rank + " alpha=" + alpha);
        }
        if (kind == BlockKind.ADAPTER && bottleneck <= 0) {
            throw new IllegalArgumentException("adapter needs a bottleneck size > 0, got " + bottleneck);
        }
    }

    public static BlockSpec lora(int rank, float alpha) {
        return new BlockSpec(BlockKind.LORA, rank, alpha, 0, false);
    }

    public static BlockSpec adapter(int size) {
        return new BlockSpec(BlockKind.ADAPTER, 0, 0f, size, false);
    }

    public static BlockSpec layer() {
        return new BlockSpec(BlockKind.LAYER, 0, 0f, 0, false);
    }

    /** The usual spec of a kind: LoRA r=8, alpha=16; adapter m=64; whole layer. */
    public static BlockSpec defaults(BlockKind kind) {
        return switch (kind) {
            case LORA -> lora(8, 16f);
            case ADAPTER -> adapter(64);
            case LAYER -> layer();
            case HEAD -> throw new IllegalArgumentException("the head is no model's block kind");
        };
    }

    public BlockSpec withTrainEmbeddings(boolean train) {
        return new BlockSpec(kind, rank, alpha, bottleneck, train);
    }

    public float loraScale() {
        return alpha / rank;
    }
}
