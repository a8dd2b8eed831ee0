package io.loladeft.jobs;

import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.train.EncodedDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The mini-batches of a round as a pure function of (seed, round): local iteration {@code i} of
 * the whole job takes the {@code i}-th batch of a stream of seeded epoch permutations (a short
 * tail of each epoch is dropped). Whichever worker runs an item, and however often, it trains on
 * the same rows, which is what makes a re-run item produce the same bytes.
 */
final class RoundBatches {

    private RoundBatches() {}

    static List<Batch> of(EncodedDataset data, int batchSize, int localIterations, long seed, int round) {
        if (batchSize > data.size()) {
            throw new IllegalArgumentException("batch size " + batchSize + " exceeds the " + data.size()
                    + " training examples");
        }
        int perEpoch = data.size() / batchSize;
        List<Batch> out = new ArrayList<>(localIterations);
        long first = (long) (round - 1) * localIterations;
        long epoch = -1;
        int[] order = null;
        for (long i = first; i < first + localIterations; i++) {
            if (i / perEpoch != epoch) {
                epoch = i / perEpoch;
                order = permutation(data.size(), seed, epoch);
            }
            int from = (int) (i % perEpoch) * batchSize;
            int[] rows = new int[batchSize];
            System.arraycopy(order, from, rows, 0, batchSize);
            out.add(data.batch(rows));
        }
        return out;
    }

    static int[] permutation(int n, long seed, long epoch) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
