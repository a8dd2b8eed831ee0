package io.loladeft.planning;

/**
 * What one parameter block is: a LoRA module, a bottleneck adapter, or a whole encoder layer (a model's block kind,
 * one per layer), or the task head (one per model, above the top layer).
 */
public enum BlockKind {
    /** LoRA of rank {@code r} on the query and value projections of one layer. */
    LORA,
    /** A bottleneck adapter of width {@code m} after one layer's feed-forward network. */
    ADAPTER,
    /** Every weight and bias of one encoder layer, its two LayerNorms included. */
    LAYER,
    /** The classification head above layer L ({@link ModelSpec#headLayer()}); never a model's block kind. */
    HEAD
}
