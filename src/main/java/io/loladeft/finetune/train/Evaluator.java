package io.loladeft.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.loladeft.finetune.glue.GlueMetrics;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.EncoderModel;
import java.util.Map;

/** Predicts a dataset with a model (dropout off) and scores it with the task's GLUE metrics. */
public final class Evaluator {

    private Evaluator() {
    }

    /** Class indices (argmax) or regression scores, one per example. */
    public static float[] predict(EncoderModel model, EncodedDataset data, int batchSize) {
        TorchThread.prepare();
        float[] out = new float[data.size()];
        try (NDManager root = NDManager.newBaseManager()) {
            for (int from = 0; from < data.size(); from += batchSize) {
                int to = Math.min(data.size(), from + batchSize);
                try (NDManager m = root.newSubManager()) {
                    NDArray logits = model.forward(m, data.batch(from, to), false);
                    float[] v = logits.toFloatArray();
                    int labels = (int) logits.getShape().get(1);
                    for (int r = 0; r < to - from; r++) {
                        if (labels == 1) {
                            out[from + r] = v[r];
                        } else {
                            int best = 0;
                            for (int c = 1; c < labels; c++) {
                                if (v[r * labels + c] > v[r * labels + best]) {
                                    best = c;
                                }
                            }
                            out[from + r] = best;
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
