package io.loladeft.finetune.profile;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * This host's sustained FLOP/s on the engine's dense matrix products (float32, the current thread
 * settings), so a measured profile can be rescaled to a device of known {@code computeFlops}:
 * {@code seconds_target = seconds_host * hostFlops / targetFlops}.
 */
public final class HostCalibration {

    private HostCalibration() {}

    /**
     * Median FLOP/s of {@code reps} products {@code [m,k] x [k,n]} (2mkn FLOPs each) after two
     * warm-up products.
     */
    public static double gemmFlops(int m, int k, int n, int reps) {
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray a = root.randomNormal(new Shape(m, k));
            NDArray b = root.randomNormal(new Shape(k, n));
            double[] rates = new double[reps];
            for (int i = -2; i < reps; i++) {
                try (NDManager step = root.newSubManager()) {
                    NDArray x = a.duplicate();
                    x.attach(step);
                    long t0 = System.nanoTime();
                    NDArray c = x.matMul(b);
                    c.getFloat(0, 0);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (i >= 0) {
                        rates[i] = 2.0 * m * k * n / s;
                    }
                }
            }
            Arrays.sort(rates);
            return rates[reps / 2];
        }
    }

    /** The FFN-shaped default: tokens x hidden by hidden x 4*hidden. */
    public static double gemmFlops() {
        return gemmFlops(1024, 768, 3072, 7);
    }

    /** Rescales measured seconds from this host to a device with {@code targetFlops}. */
    public static double[] scale(double[] seconds, double hostFlops, double targetFlops) {
        if (!(hostFlops > 0) || !(targetFlops > 0)) {
            throw new IllegalArgumentException("FLOP/s must be positive");
        }
        double[] out = new double[seconds.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = seconds[i] * hostFlops / targetFlops;
        }
        return out;
    }
}
