package io.loladeft.finetune.train;

import io.loladeft.finetune.glue.GlueExample;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.tokenizer.RobertaTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Tokenised GLUE examples and the mini-batches cut from them (padded to the longest row, pad id 1). */
public final class EncodedDataset {

    private final RobertaTokenizer tokenizer;
    private final List<RobertaTokenizer.Encoding> encodings;
    private final float[] labels;

    public EncodedDataset(RobertaTokenizer tokenizer, List<GlueExample> examples, int maxLength) {
        this.tokenizer = tokenizer;
        this.encodings = new ArrayList<>(examples.size());
        this.labels = new float[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            GlueExample e = examples.get(i);
            encodings.add(tokenizer.encodePair(e.textA(), e.textB(), maxLength));
            labels[i] = e.label();
        }
    }

    public int size() {
        return labels.length;
    }

    public float[] labels() {
        return labels.clone();
    }

    /** Rows {@code [from, to)} in order, as one batch. */
    public Batch batch(int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return batch(rows);
    }

    public Batch batch(int[] rows) {
        List<RobertaTokenizer.Encoding> sel = new ArrayList<>(rows.length);
        float[] y = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            sel.add(encodings.get(rows[i]));
            y[i] = labels[rows[i]];
        }
        RobertaTokenizer.Padded p = tokenizer.pad(sel, 0);
        return new Batch(rows.length, p.length(), p.ids(), p.attentionMask(), y);
    }

    /**
     * Endless shuffled mini-batches: a new seeded permutation every epoch; a short tail is dropped.
     * Rows are bucketed by length (within windows of 50 batches, sorted by token count, then the
     * batches shuffled), so dynamic padding wastes little compute; which rows form an epoch does not
     * change.
     */
    public BatchSource shuffled(int batchSize, long seed) {
        if (batchSize <= 0 || batchSize > size()) {
            throw new IllegalArgumentException("batch size " + batchSize + " for " + size() + " examples");
        }
        return new BatchSource() {
            private final SplittableRandom rnd = new SplittableRandom(seed);
            private final List<int[]> epoch = new ArrayList<>();
            private int pos;

            @Override
            public Batch next() {
                if (pos >= epoch.size()) {
                    newEpoch();
                }
                return batch(epoch.get(pos++));
            }

            private void newEpoch() {
                int[] p = new int[size()];
                for (int i = 0; i < p.length; i++) {
                    p[i] = i;
                }
                shuffle(p);
                epoch.clear();
                pos = 0;
                int window = batchSize * 50;
                int usable = p.length - p.length % batchSize;
                for (int from = 0; from < usable; from += window) {
                    int to = Math.min(usable, from + window);
                    Integer[] w = new Integer[to - from];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = p[from + i];
                    }
                    java.util.Arrays.sort(w, (x, y) -> Integer.compare(encodings.get(x).ids().length,
                            encodings.get(y).ids().length));
                    for (int b = 0; b + batchSize <= w.length; b += batchSize) {
                        int[] rows = new int[batchSize];
                        for (int i = 0; i < batchSize; i++) {
                            rows[i] = w[b + i];
                        }
                        epoch.add(rows);
                    }
                }
                for (int i = epoch.size() - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    int[] t = epoch.get(i);
                    epoch.set(i, epoch.get(j));
                    epoch.set(j, t);
                }
            }

            private void shuffle(int[] p) {
                for (int i = p.length - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    int t = p[i];
                    p[i] = p[j];
                    p[j] = t;
                }
            }
        };
    }
}
