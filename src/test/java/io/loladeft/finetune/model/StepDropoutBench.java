package io.loladeft.finetune.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;

/**
 * {@link StepDropout} against libtorch's {@code dropout} (DJL's {@code Dropout.dropout}) at MiniLM's
 * shapes, one and two intra-op threads, interleaved in one JVM: median of 25 calls, median of 7 rounds
 * (docs/finetune.md §11.5). In this package because StepDropout is package-private.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.loladeft.finetune.model.StepDropoutBench</pre>
 */
public final class StepDropoutBench {

    private StepDropoutBench() {}

    public static void main(String[] args) {
        Engine.getInstance();
        JniUtils.setGradMode(false);
        try (NDManager m = NDManager.newBaseManager()) {
            StepDropout sd = StepDropout.of(m, 0.1f, true);
            for (Shape shape : new Shape[] {new Shape(512, 384), new Shape(8, 12, 64, 64)}) {
                NDArray x = m.randomNormal(shape);
                for (int th = 1; th <= 2; th++) {
                    JniUtils.setNumThreads(th);
                    double[][] t = new double[2][7];
                    for (int r = 0; r < 7; r++) {
                        for (int v = 0; v < 2; v++) {
                            double[] us = new double[25];
                            for (int i = -5; i < us.length; i++) {
                                try (NDManager sub = m.newSubManager()) {
                                    x.tempAttach(sub);
                                    long t0 = System.nanoTime();
                                    NDArray y = v == 0
                                            ? Dropout.dropout(x, 0.1f, true).head()
                                            : sd.apply(x);
                                    long t1 = System.nanoTime();
                                    if (i >= 0) {
                                        us[i] = (t1 - t0) / 1e3;
                                    }
                                    y.close();
                                }
                            }
                            Arrays.sort(us);
                            t[v][r] = us[us.length / 2];
                        }
                    }
                    Arrays.sort(t[0]);
                    Arrays.sort(t[1]);
                    System.out.printf(
                            "%s threads %d: libtorch dropout %.0f us, StepDropout %.0f us (%.2f)%n",
                            shape, th, t[0][3], t[1][3], t[1][3] / t[0][3]);
                }
            }
        }
    }
}
