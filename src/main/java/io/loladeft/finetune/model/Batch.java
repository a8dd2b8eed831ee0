package io.loladeft.finetune.model;

/**
 * One mini-batch in row-major layout: {@code inputIds}, {@code tokenTypeIds} and
 * {@code attentionMask} are {@code batchSize * seqLen}; {@code labels} holds class indices (as
 * floats) or regression targets. Token types are 0 for the first segment and 1 for the second of a
 * BERT pair; RoBERTa has one type, all 0.
 */
public record Batch(
        int batchSize, int seqLen, long[] inputIds, long[] tokenTypeIds, long[] attentionMask, float[] labels) {

    public Batch {
        if (batchSize <= 0 || seqLen <= 0) {
            throw new IllegalArgumentException("empty batch " + batchSize + "x" + seqLen);
        }
        if (inputIds.length != batchSize * seqLen
                || attentionMask.length != batchSize * seqLen
                || tokenTypeIds.length != batchSize * seqLen) {
            throw new IllegalArgumentException("ids/types/mask must hold " + batchSize * seqLen + " values");
        }
        if (labels.length != batchSize) {
            throw new IllegalArgumentException("labels must hold " + batchSize + " values, got " + labels.length);
        }
    }

    /** A batch of single segments: every token type 0. */
    public Batch(int batchSize, int seqLen, long[] inputIds, long[] attentionMask, float[] labels) {
        this(batchSize, seqLen, inputIds, new long[inputIds.length], attentionMask, labels);
    }
}
