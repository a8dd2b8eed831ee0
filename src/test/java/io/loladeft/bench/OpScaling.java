package io.loladeft.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The MiniLM encoder's forward operations one at a time at one and at two intra-op threads, alternating
 * (1, 2, 1, 2, ...), to see which of the engine's operations do not gain from the second thread
 * (docs/finetune.md §11.5). Its PyTorch twin is {@code torch_encoder.py ops}: same shapes, same order.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.loladeft.bench.OpScaling [b s h f heads reps]</pre>
 */
public final class OpScaling {

    private OpScaling() {}

    public static void main(String[] args) {
        int b = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int s = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int h = args.length > 2 ? Integer.parseInt(args[2]) : 384;
        int f = args.length > 3 ? Integer.parseInt(args[3]) : 1536;
        int a = args.length > 4 ? Integer.parseInt(args[4]) : 12;
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        Engine.getInstance();
        JniUtils.setGradMode(false);
        try (NDManager m = NDManager.newBaseManager()) {
            int n = b * s;
            NDArray x = m.randomNormal(new Shape(n, h));
            NDArray xf = m.randomNormal(new Shape(n, f));
            NDArray wq = m.randomNormal(new Shape(h, h));
            NDArray bq = m.randomNormal(new Shape(h));
            NDArray wi = m.randomNormal(new Shape(f, h));
            NDArray bi = m.randomNormal(new Shape(f));
            NDArray wo = m.randomNormal(new Shape(h, f));
            NDArray lnw = m.ones(new Shape(h));
            NDArray lnb = m.zeros(new Shape(h));
            NDArray q4 = m.randomNormal(new Shape(b, a, s, h / a));
            NDArray kT = m.randomNormal(new Shape(b, a, h / a, s));
            NDArray sc = m.randomNormal(new Shape(b, a, s, s));
            Map<String, Supplier<NDArray>> ops = new LinkedHashMap<>();
            ops.put("addmm h->h", () -> Linear.linear(x, wq, bq).head());
            ops.put("addmm h->f", () -> Linear.linear(x, wi, bi).head());
            ops.put("addmm f->h", () -> Linear.linear(xf, wo, bq).head());
            ops.put("bmm q.kT", () -> q4.matMul(kT));
            ops.put("softmax", () -> sc.softmax(-1));
            ops.put("gelu [n,f]", () -> Activation.gelu(xf));
            ops.put(
                    "layernorm",
                    () -> LayerNorm.layerNorm(x, new Shape(h), lnw, lnb, 1e-12f).head());
            ops.put("dropout [n,h]", () -> Dropout.dropout(x, 0.1f, true).head());
            ops.put("dropout scores", () -> Dropout.dropout(sc, 0.1f, true).head());
            ops.put("add [n,h]", () -> x.add(x));
            Map<String, double[][]> t = new LinkedHashMap<>();
            for (String k : ops.keySet()) {
                t.put(k, new double[2][reps]);
            }
            for (int r = 0; r < reps; r++) {
                for (int th = 1; th <= 2; th++) {
                    JniUtils.setNumThreads(th);
                    for (Map.Entry<String, Supplier<NDArray>> e : ops.entrySet()) {
                        t.get(e.getKey())[th - 1][r] = time(m, e.getValue());
                    }
                }
            }
            System.out.printf("%-16s %10s %10s %6s%n", "op", "1t us", "2t us", "gain");
            for (Map.Entry<String, double[][]> e : t.entrySet()) {
                double one = median(e.getValue()[0]);
                double two = median(e.getValue()[1]);
                System.out.printf("%-16s %10.1f %10.1f %6.2f%n", e.getKey(), one, two, one / two);
            }
        }
    }

    /** Median microseconds of 30 calls after 5 untimed ones. */
    private static double time(NDManager m, Supplier<NDArray> op) {
        double[] us = new double[30];
        for (int i = -5; i < us.length; i++) {
            try (NDManager sub = m.newSubManager()) {
                long t0 = System.nanoTime();
                NDArray y = op.get();
                long t1 = System.nanoTime();
                y.close();
                if (i >= 0) {
                    us[i] = (t1 - t0) / 1e3;
                }
            }
        }
        return median(us);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
