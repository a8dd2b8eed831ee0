package io.loladeft.finetune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.loladeft.finetune.model.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The AdamW update (libtorch's fused update with rescaled learning rate and epsilon) against
 * {@code torch.optim.AdamW}'s algorithm restated in double precision: decoupled weight decay (not on
 * biases), bias-corrected moments, epsilon added to {@code sqrt(v / bc2)}, and the block's gradient
 * clipping factor applied to the gradient first.
 */
class BlockOptimizerTest {

    private static final float[][] GRAD_W = {
        {0.3f, -1.2f, 0.05f, 2.0f, -0.7f, 0.01f},
        {-0.4f, 0.9f, 0.0f, -1.5f, 0.2f, 0.6f},
        {1e-4f, -2e-4f, 3e-3f, 0.8f, -0.8f, 0.1f}
    };
    private static final float[][] GRAD_B = {{0.5f, -0.25f, 1.0f}, {-0.1f, 0.3f, -0.6f}, {0.02f, 0.0f, -0.04f}};

    @Test
    void adamwMatchesTorchsAlgorithmWithDecayAndClipping() {
        TorchThread.prepare();
        float lr = 1e-2f;
        float wd = 0.1f;
        float maxNorm = 1.0f;
        OptimizerSpec spec = OptimizerSpec.adamw(lr, wd).withMaxGradNorm(maxNorm);
        float[] w0 = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f};
        float[] b0 = {0.05f, -0.05f, 0.15f};
        try (NDManager root = NDManager.newBaseManager();
                BlockOptimizer opt = new BlockOptimizer(spec, root)) {
            NDArray w = root.create(w0, new Shape(2, 3));
            NDArray b = root.create(b0, new Shape(3));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("l.dense.weight", w);
            params.put("l.dense.bias", b);
            double[] rw = toDouble(w0);
            double[] rb = toDouble(b0);
            double[][] mw = new double[2][6];
            double[][] mb = new double[2][3];
            for (int t = 1; t <= GRAD_W.length; t++) {
                try (NDManager step = root.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = w.mul(step.create(GRAD_W[t - 1], new Shape(2, 3)))
                            .sum()
                            .add(b.mul(step.create(GRAD_B[t - 1], new Shape(3))).sum());
                    gc.backward(loss);
                }
                opt.step(params, List.of(List.of("l.dense.weight", "l.dense.bias")));
                double norm = Math.sqrt(sq(GRAD_W[t - 1]) + sq(GRAD_B[t - 1]));
                double clip = Math.min(1.0, maxNorm / (norm + 1e-6));
                torchAdamW(rw, GRAD_W[t - 1], clip, mw, t, lr, wd);
                torchAdamW(rb, GRAD_B[t - 1], clip, mb, t, lr, 0);
                assertClose(rw, w.toFloatArray(), "weight after step " + t);
                assertClose(rb, b.toFloatArray(), "bias after step " + t);
                assertClose(new double[6], w.getGradient().toFloatArray(), "gradient zeroed");
            }
            Map<String, HostTensor> state = opt.export(List.of("l.dense.weight"));
            assertClose(mw[0], state.get("l.dense.weight::exp_avg").data(), "exp_avg");
            assertClose(mw[1], state.get("l.dense.weight::exp_avg_sq").data(), "exp_avg_sq");
            assertEquals(3f, state.get("l.dense.weight::step").data()[0]);
        }
    }

    /**
     * With more than one intra-op thread, tensors below {@link BlockOptimizer#SERIAL_UPDATE} elements are
     * updated on one thread and larger ones on all: the bytes are those of a one-thread step either way,
     * and the caller's thread count is back when the step returns.
     */
    @Test
    void smallTensorsAreUpdatedOnOneThreadWithTheSameBytesAndTheThreadCountComesBack() {
        TorchThread.prepare();
        int before = JniUtils.getNumThreads();
        try {
            float[][] oneThread = stepSmallAndLarge(1);
            float[][] twoThreads = stepSmallAndLarge(2);
            assertEquals(2, JniUtils.getNumThreads(), "the step restored two threads");
            assertArrayEquals(oneThread[0], twoThreads[0], 0f, "small tensor");
            assertArrayEquals(oneThread[1], twoThreads[1], 0f, "large tensor");
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    /** Two AdamW steps of a small (8 x 8) and a large (SERIAL_UPDATE elements) tensor at this many threads. */
    private static float[][] stepSmallAndLarge(int threads) {
        JniUtils.setNumThreads(threads);
        int large = (int) BlockOptimizer.SERIAL_UPDATE;
        try (NDManager root = NDManager.newBaseManager();
                BlockOptimizer opt = new BlockOptimizer(OptimizerSpec.adamw(1e-2f, 0.1f), root)) {
            NDArray small = root.create(ramp(64, 0.01f), new Shape(8, 8));
            NDArray big = root.create(ramp(large, 1e-5f), new Shape(large / 256, 256));
            small.setRequiresGradient(true);
            big.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("s.weight", small);
            params.put("l.weight", big);
            for (int t = 1; t <= 2; t++) {
                try (NDManager step = root.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(small.mul(small)
                            .sum()
                            .add(big.mul(big).mul(step.create((float) t)).sum()));
                }
                opt.step(params, List.of(List.of("s.weight", "l.weight")));
            }
            return new float[][] {small.toFloatArray(), big.toFloatArray()};
        }
    }

    private static float[] ramp(int n, float step) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (i % 1000 - 500) * step;
        }
        return out;
    }

    /** torch/optim/adamw.py, _single_tensor_adamw, in double precision. */
    private static void torchAdamW(double[] p, float[] g, double clip, double[][] mv, int t, double lr, double wd) {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double bc1 = 1 - Math.pow(b1, t);
        double bc2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < p.length; i++) {
            double gi = g[i] * clip;
            p[i] *= 1 - lr * wd;
            mv[0][i] = b1 * mv[0][i] + (1 - b1) * gi;
            mv[1][i] = b2 * mv[1][i] + (1 - b2) * gi * gi;
            double denom = Math.sqrt(mv[1][i]) / Math.sqrt(bc2) + eps;
            p[i] -= lr / bc1 * mv[0][i] / denom;
        }
    }

    private static void assertClose(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-6 + 1e-5 * Math.abs(want[i]), what + " [" + i + "]");
        }
    }

    private static double sq(float[] a) {
        double s = 0;
        for (float x : a) {
            s += (double) x * x;
        }
        return s;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
