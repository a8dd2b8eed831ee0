package io.loladeft.planning;

/**
 * The model being fine-tuned: a frozen RoBERTa backbone plus one kind of trainable block.
 *
 * @param shape             RoBERTa architecture
 * @param block             the trainable block attached to a layer
 * @param bytesPerWeight    bytes per frozen backbone weight (2 for fp16/bf16, 4 for fp32)
 * @param bytesPerTrainable bytes per trainable parameter (and per gradient / Adam moment)
 */
public record ModelSpec(RobertaShape shape, BlockSpec block, int bytesPerWeight, int bytesPerTrainable) {

    /**
     * Trainable parameters of one block at one layer (the same for every layer):
     * LoRA on query and value {@code 2 * 2*h*r}; adapter after the FFN {@code 2*h*m + m + h};
     * a whole layer {@link RobertaShape#layerParams()}.
     */
    public long blockParams() {
        long h = shape.hidden();
        return switch (block.kind()) {
            case LORA -> 2L * 2L * h * block.rank();
            case ADAPTER -> 2L * h * block.bottleneck() + block.bottleneck() + h;
            case LAYER -> shape.layerParams();
        };
    }

    /**
     * Trainable parameters of the block attached at {@code layer} (1..L). The top layer's block
     * carries the task head too, as the trainer does: the head is trained every round, and the
     * device that trains the top block uploads it ({@link #headParams()}).
     */
    public long blockParams(int layer) {
        if (layer < 1 || layer > shape.layers()) {
            throw new IllegalArgumentException("layer " + layer + " is outside 1.." + shape.layers());
        }
        return layer == shape.layers() ? blockParams() + headParams() : blockParams();
    }

    /**
     * The classification head for two labels, the GLUE common case: a hidden-to-hidden projection
     * (RoBERTa's {@code classifier.dense}, BERT's pooler) and hidden-to-labels, with biases. One more
     * label adds {@code h + 1}.
     */
    public long headParams() {
        long h = shape.hidden();
        return h * h + h + 2 * h + 2;
    }

    /** Bytes of the frozen backbone: every backbone weight at {@code bytesPerWeight}. */
    public double backboneBytes() {
        return (double) shape.backboneParams() * bytesPerWeight;
    }

    /** RoBERTa-base with LoRA rank 8 (alpha 16), fp32 weights and fp32 trainable state. */
    public static ModelSpec robertaBaseLora() {
        return new ModelSpec(RobertaShape.ROBERTA_BASE, BlockSpec.lora(8, 16), 4, 4);
    }
}
