package io.loladeft.planning;

import java.util.Collection;

/**
 * The model being fine-tuned: a frozen RoBERTa backbone, one kind of trainable block per encoder layer and the task
 * head, a block of its own ({@link BlockKind#HEAD}) at layer {@code L + 1}.
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
            case HEAD -> throw new IllegalStateException("the head is no model's block kind");
        };
    }

    /**
     * The layer of the task head's block, {@code L + 1}: the head sits above the top encoder layer, so its depth
     * ({@link Block#depth}) is 0, the backward pass that trains it alone crosses no encoder layer. Plans and the
     * trainer name the head's block by this layer.
     */
    public int headLayer() {
        return shape.layers() + 1;
    }

    /** The kind of the block at {@code layer} (1..L+1): the model's block kind, or {@link BlockKind#HEAD} at L+1. */
    public BlockKind kindAt(int layer) {
        checkLayer(layer);
        return layer == headLayer() ? BlockKind.HEAD : block.kind();
    }

    /**
     * Trainable parameters of the block at {@code layer}: the model's block at layers 1..L ({@link #blockParams()}),
     * the task head at {@link #headLayer()} ({@link #headParams()}).
     */
    public long blockParams(int layer) {
        checkLayer(layer);
        return layer == headLayer() ? headParams() : blockParams();
    }

    private void checkLayer(int layer) {
        if (layer < 1 || layer > headLayer()) {
            throw new IllegalArgumentException(
                    "layer " + layer + " is outside 1.." + headLayer() + " (" + headLayer() + " is the task head)");
        }
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

    /**
     * Analytic FLOPs of one local iteration that trains the blocks at {@code layers} (1..L+1) on
     * {@code batchSize * seqLen} tokens: a full forward pass, the head's backward, a backward pass down to the deepest
     * of them (none for the head alone) and their weight gradients,
     * {@code F_fwd + F_head + dmax*F_layer + sum G_n} (the cost model of docs/planning.md, which {@code CostModel}
     * applies per device; {@link #weightGradientFlops}).
     */
    public double iterationFlops(int batchSize, int seqLen, Collection<Integer> layers) {
        int dmax = 0;
        double grads = 0;
        for (int layer : layers) {
            dmax = Math.max(dmax, shape.layers() - layer + 1);
            grads += weightGradientFlops(batchSize, seqLen, layer, blockParams(layer));
        }
        return fixedFlops(batchSize, seqLen) + dmax * layerFlops(batchSize, seqLen) + grads;
    }

    /**
     * {@code G_n}: weight-gradient FLOPs of a block of {@code params} at {@code layer}: {@code 2*b*s*P} for an encoder
     * block (every token), {@code 2*b*P} for the head (it sees the first token of each sequence only).
     */
    double weightGradientFlops(double b, double s, int layer, double params) {
        return layer == headLayer() ? 2 * b * params : weightGradientFlopsPerParam(b, s) * params;
    }

    /** {@code F_layer = 2*b*s*(4*h^2 + 2*h*i) + 4*b*s^2*h}: forward FLOPs of one encoder layer. */
    double layerFlops(double b, double s) {
        double h = shape.hidden();
        return 2 * b * s * (4 * h * h + 2 * h * shape.intermediate()) + 4 * b * s * s * h;
    }

    /**
     * {@code F_fwd + F_head}: the whole forward pass ({@code L*F_layer + F_head}) and the head's backward,
     * with {@code F_head = 2*b*(h^2 + 2*h)} (the head on the first token).
     */
    double fixedFlops(double b, double s) {
        double h = shape.hidden();
        double head = 2 * b * (h * h + 2 * h);
        return shape.layers() * layerFlops(b, s) + 2 * head;
    }

    /** {@code 2*b*s}: weight-gradient FLOPs per trainable parameter. */
    double weightGradientFlopsPerParam(double b, double s) {
        return 2 * b * s;
    }

    /**
     * {@code A_layer = b*s*(7*h + i + 3*a*s) * bytesPerWeight}: the bytes autograd keeps for backward in one
     * encoder layer the backward pass crosses (frozen weights, dropout on, activations at the weights'
     * precision). Per token: the bmm operands Q, K, V ({@code 3h}, the copies matmul makes of the
     * head-split views), the attention-output and FFN-output dropout masks ({@code 2h}), the two
     * LayerNorm inputs ({@code 2h}), the GELU input ({@code i}); per head and key: the softmax output,
     * the attention-dropout mask and the dropped-out probabilities ({@code 3*a*s}). A frozen Linear
     * keeps only its weight, so its input is not saved. In the layer holding a LoRA block the saved set
     * has the same size (the block's input {@code x} instead of the un-adapted Q).
     */
    public double activationBytesPerLayer(double b, double s) {
        double h = shape.hidden();
        return b * s * (7 * h + shape.intermediate() + 3.0 * shape.heads() * s) * bytesPerWeight;
    }

    /**
     * {@code A_work = b*s*(17*h + i + 3*a*s) * bytesPerWeight}: what one layer's forward holds beyond
     * {@link #activationBytesPerLayer}, at depth-independent peak. The engine keeps every intermediate of
     * a layer until the layer's output is handed on (docs/finetune.md, "Memory follows depth"): the
     * scores, scaled and masked scores ({@code 3*a*s} beyond the three saved attention tensors), and per
     * token the Linear outputs, LoRA products and sums, residual sums and the FFN's first output
     * ({@code 17h + i} beyond the saved ones). Counted once: only the layer being computed holds them.
     */
    public double workspaceBytes(double b, double s) {
        double h = shape.hidden();
        return b * s * (17 * h + shape.intermediate() + 3.0 * shape.heads() * s) * bytesPerWeight;
    }

    /**
     * The analytic peak bytes of one device training blocks whose deepest is {@code dmax} layers from the
     * head and which hold {@code sumParams} parameters in all:
     * {@code W_backbone + A_work + dmax*A_layer + 4*sumParams*bytesPerTrainable} (docs/planning.md,
     * "Memory"). The process's runtime (JVM, libtorch) is not included: device budgets exclude it.
     */
    public double trainingMemoryBytes(double b, double s, int dmax, double sumParams) {
        return backboneBytes()
                + workspaceBytes(b, s)
                + dmax * activationBytesPerLayer(b, s)
                + 4.0 * sumParams * bytesPerTrainable;
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
