package io.loladeft.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.loladeft.finetune.glue.GlueMetrics;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.EncoderModel;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/** Predicts a dataset with a model (dropout off) and scores it with the task's GLUE metrics. */
public final class Evaluator {

    private Evaluator() {}

    /**
     * Class indices (argmax) or regression scores, one per example. Rows run in order of length, so
     * a batch pads little (each is padded to its longest row); the answers come back in data order.
     */
    public static float[] predict(EncoderModel model, EncodedDataset data, int batchSize) {
        TorchThread.prepare();
        float[] out = new float[data.size()];
        Integer[] order = new Integer[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(data::length));
        try (NDManager root = NDManager.newBaseManager()) {
            for (int from = 0; from < data.size(); from += batchSize) {
                int to = Math.min(data.size(), from + batchSize);
                int[] rows = new int[to - from];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = order[from + r];
                }
                try (NDManager m = root.newSubManager()) {
                    NDArray logits = model.forward(m, data.batch(rows), false);
                    float[] v = logits.toFloatArray();
                    int labels = (int) logits.getShape().get(1);
                    for (int r = 0; r < rows.length; r++) {
                        if (labels == 1) {
                            out[rows[r]] = v[r];
                        } else {
                            int best = 0;
                            for (int c = 1; c < labels; c++) {
                                if (v[r * labels + c] > v[r * labels + best]) {
                                    best = c;
                                }
                            }
                            out[rows[r]] = best;
                        }
                    }
                }
            }
        }
        return out;
    }

    public static Map<String, Double> evaluate(EncoderModel model, GlueTask task, EncodedDataset data, int batchSize) {
        return GlueMetrics.score(task, predict(model, data, batchSize), data.labels());
    }
}
