package io.loladeft.planning;

/**
 * Training settings of one fine-tuning job.
 *
 * @param batchSize       batch size {@code b}
 * @param seqLen          sequence length {@code s}
 * @param localIterations local iterations per round {@code E}
 * @param rounds          rounds {@code R} (total latency is {@code R} times the round latency)
 * @param bitsPerParam    bits per uploaded parameter {@code q}
 */
public record Training(int batchSize, int seqLen, int localIterations, int rounds, int bitsPerParam) {

    /** Batch 16, sequence length 128, {@code E = 1}, one round, {@code q = 32}. */
    public static Training defaults() {
        return new Training(16, 128, 1, 1, 32);
    }
}
