package io.loladeft.planning;

/**
 * The architecture numbers of a RoBERTa encoder.
 *
 * @param layers       encoder layers {@code L}
 * @param hidden       hidden width {@code h}
 * @param heads        attention heads {@code a}
 * @param intermediate feed-forward width {@code i}
 * @param vocab        vocabulary size {@code V}
 * @param maxPositions learned position embeddings
 */
public record RobertaShape(int layers, int hidden, int heads, int intermediate, int vocab, int maxPositions) {

    public static final RobertaShape ROBERTA_BASE = new RobertaShape(12, 768, 12, 3072, 50265, 514);
    public static final RobertaShape ROBERTA_LARGE = new RobertaShape(24, 1024, 16, 4096, 50265, 514);
    /** all-MiniLM-L6-v2, a BERT: the cost model counts it as a RoBERTa of the same numbers. */
    public static final RobertaShape MINILM_L6 = new RobertaShape(6, 384, 12, 1536, 30522, 512);

    /** Weights and biases of one encoder layer: attention (Q, K, V, O), the FFN and two LayerNorms. */
    public long layerParams() {
        long h = hidden;
        long i = intermediate;
        return 4 * h * h + 4 * h + 2 * h * i + i + h + 2 * 2 * h;
    }

    /** Word, position and token-type embeddings plus the embedding LayerNorm. */
    public long embeddingParams() {
        long h = hidden;
        return (long) vocab * h + (long) maxPositions * h + h + 2 * h;
    }

    /** Every backbone weight: embeddings plus all encoder layers (the classifier head is not counted). */
    public long backboneParams() {
        return embeddingParams() + layers * layerParams();
    }
}
