package io.loladeft.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Mean cross-entropy for classifiers, mean squared error for the regression head (STS-B). */
public final class Losses {

    private Losses() {}

    public static NDArray loss(NDManager m, NDArray logits, float[] labels) {
        int b = labels.length;
        long numLabels = logits.getShape().get(1);
        NDArray y = m.create(labels, new Shape(b));
        if (numLabels == 1) {
            return logits.reshape(b).sub(y).square().mean();
        }
        NDArray oneHot = y.toType(DataType.INT64, false).oneHot((int) numLabels);
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
    }
}
