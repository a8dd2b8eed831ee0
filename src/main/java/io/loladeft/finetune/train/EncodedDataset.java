package io.loladeft.finetune.train;

import io.loladeft.finetune.glue.GlueExample;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Tokenised GLUE examples and the mini-batches cut from them (padded to the longest row, pad id 1). */
public final class EncodedDataset {

    private final TextTokenizer tokenizer;
    private final List<TextTokenizer.Encoding> encodings;
    private final float[] labels;

    public EncodedDataset(TextTokenizer tokenizer, List<GlueExample> examples, int maxLength) {
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

    /** Tokens of row {@code row}, special tokens included (its length before padding). */
    public int length(int row) {
        return encodings.get(row).ids().length;
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
        List<TextTokenizer.Encoding> sel = new ArrayList<>(rows.length);
        float[] y = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            sel.add(encodings.get(rows[i]));
            y[i] = labels[rows[i]];
        }
        TextTokenizer.Padded p = tokenizer.pad(sel, 0);
        return new Batch(rows.length, p.length(), p.ids(), p.typeIds(), p.attentionMask(), y);
    }

    /** Endless shuffled mini-batches: a new seeded permutation every epoch; a short tail is dropped. */
    public BatchSource shuffled(int batchSize, long seed) {
        if (batchSize <= 0 || batchSize > size()) {
            throw new IllegalArgumentException("batch size " + batchSize + " for " + size() + " examples");
        }
        return new BatchSource() {
            private final SplittableRandom rnd = new SplittableRandom(seed);
            private int[] order = permutation();
            private int pos;

            @Override
            public Batch next() {
                if (pos + batchSize > order.length) {
                    order = permutation();
                    pos = 0;
                }
                int[] rows = new int[batchSize];
                System.arraycopy(order, pos, rows, 0, batchSize);
                pos += batchSize;
                return batch(rows);
            }

            private int[] permutation() {
                int[] p = new int[size()];
                for (int i = 0; i < p.length; i++) {
                    p[i] = i;
                }
                for (int i = p.length - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    int t = p[i];
                    p[i] = p[j];
                    p[j] = t;
                }
                return p;
            }
        };
    }
}
