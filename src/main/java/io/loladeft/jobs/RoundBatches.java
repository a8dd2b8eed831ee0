package io.loladeft.jobs;

import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.train.EncodedDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The mini-batches of a round as a pure function of (seed, round): local iteration {@code i} of
 * the whole job takes the {@code i}-th batch of a stream of seeded epochs (a short tail of each
 * epoch is dropped). Whichever worker runs an item, and however often, it trains on the same rows,
 * which is what makes a re-run item produce the same bytes.
 *
 * <p>Batches are grouped by length, as transformers' {@code group_by_length} does: an epoch is a
 * seeded permutation cut into windows of {@link #WINDOW_BATCHES} batches; inside a window rows are
 * sorted by token count and cut into batches, and the window's batches are shuffled. A batch is
 * padded to its longest row, so similar lengths waste little compute on padding (SST-2's phrases
 * are mostly short), while every row is still seen once per epoch in a random order of batches.
 */
final class RoundBatches {

    /** Batches per length-sorted window: wide enough to find similar lengths, narrow enough to stay random. */
    static final int WINDOW_BATCHES = 50;

    /**
     * The last epoch's order: every device of a round, and the rounds of an epoch after it, ask for
     * the same one, and building it sorts the whole data set. The cached array is never written.
     */
    private static final AtomicReference<Epoch> LAST = new AtomicReference<>();

    private record Epoch(EncodedDataset data, int batchSize, long seed, long epoch, int[] order) {}

    private RoundBatches() {}

    /**
     * The dropout seed of a round: a function of (job seed, round) alone, so a redone item draws the
     * same masks, and every device of a round draws the masks a centralised step on the same batch
     * would (each runs the same forward), so the schedule can change without changing the training.
     */
    static int dropoutSeed(long seed, int round) {
        long h = seed * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    static List<Batch> of(EncodedDataset data, int batchSize, int localIterations, long seed, int round) {
        if (batchSize > data.size()) {
            throw new IllegalArgumentException(
                    "batch size " + batchSize + " exceeds the " + data.size() + " training examples");
        }
        int perEpoch = data.size() / batchSize;
        List<Batch> out = new ArrayList<>(localIterations);
        long first = (long) (round - 1) * localIterations;
        long epoch = -1;
        int[] order = null;
        for (long i = first; i < first + localIterations; i++) {
            if (i / perEpoch != epoch) {
                epoch = i / perEpoch;
                order = cachedEpochOrder(data, batchSize, seed, epoch);
            }
            int from = (int) (i % perEpoch) * batchSize;
            out.add(data.batch(Arrays.copyOfRange(order, from, from + batchSize)));
        }
        return out;
    }

    private static int[] cachedEpochOrder(EncodedDataset data, int batchSize, long seed, long epoch) {
        Epoch last = LAST.get();
        if (last != null
                && last.data() == data
                && last.batchSize() == batchSize
                && last.seed() == seed
                && last.epoch() == epoch) {
            return last.order();
        }
        int[] order = epochOrder(data, batchSize, seed, epoch);
        LAST.set(new Epoch(data, batchSize, seed, epoch, order));
        return order;
    }

    /** The rows of one epoch in batch order: {@code perEpoch * batchSize} of them. */
    static int[] epochOrder(EncodedDataset data, int batchSize, long seed, long epoch) {
        int[] perm = permutation(data.size(), seed, epoch);
        int perEpoch = data.size() / batchSize;
        int[] out = new int[perEpoch * batchSize];
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 1);
        for (int w = 0; w < perEpoch; w += WINDOW_BATCHES) {
            int batches = Math.min(WINDOW_BATCHES, perEpoch - w);
            Integer[] rows = new Integer[batches * batchSize];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = perm[w * batchSize + r];
            }
            Arrays.sort(rows, Comparator.comparingInt(data::length)); // stable: ties keep the permutation's order
            int[] batchOrder = permutation(batches, rnd.nextLong(), 0);
            for (int b = 0; b < batches; b++) {
                for (int k = 0; k < batchSize; k++) {
                    out[(w + b) * batchSize + k] = rows[batchOrder[b] * batchSize + k];
                }
            }
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
