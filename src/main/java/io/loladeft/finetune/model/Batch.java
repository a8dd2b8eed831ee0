package io.loladeft.finetune.model;

/**
 * One mini-batch in row-major layout: {@code inputIds} and {@code attentionMask} are
 * {@code batchSize * seqLen}; {@code labels} holds class indices (as floats) or regression targets.
 */
public record Batch(int batchSize, int seqLen, long[] inputIds, long[] attentionMask, float[] labels) {

    public Batch {
        if (batchSize <= 0 || seqLen <= 0) {
            throw new IllegalArgumentException("empty batch " + batchSize + "x" + seqLen);
        }
        if (inputIds.length != batchSize * seqLen || attentionMask.length != batchSize * seqLen) {
            throw new IllegalArgumentException("ids/mask must hold " + batchSize * seqLen + " values");
        }
        if (labels.length != batchSize) {
            throw new IllegalArgumentException("labels must hold " + batchSize + " values, got " + labels.length);
        }
    }
}
