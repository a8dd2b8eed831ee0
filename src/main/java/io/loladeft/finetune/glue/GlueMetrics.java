package io.loladeft.finetune.glue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** GLUE's metrics: Matthews correlation, accuracy, F1 (positive class 1), Pearson and Spearman. */
public final class GlueMetrics {

    private GlueMetrics() {}

    /**
     * The task's metrics by name ({@code accuracy}, {@code f1}, {@code matthews}, {@code pearson},
     * {@code spearman}) for predicted class indices or scores against gold labels.
     */
    public static Map<String, Double> score(GlueTask task, float[] predicted, float[] gold) {
        if (predicted.length != gold.length || gold.length == 0) {
            throw new IllegalArgumentException(
                    "need equally many predictions and labels, got " + predicted.length + " and " + gold.length);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        switch (task.metric()) {
            case MATTHEWS -> m.put("matthews", matthews(predicted, gold));
            case ACCURACY -> m.put("accuracy", accuracy(predicted, gold));
            case F1_ACCURACY -> {
                m.put("f1", f1(predicted, gold));
                m.put("accuracy", accuracy(predicted, gold));
            }
            case PEARSON_SPEARMAN -> {
                m.put("pearson", pearson(toDouble(predicted), toDouble(gold)));
                m.put("spearman", spearman(predicted, gold));
            }
        }
        return m;
    }

    public static double accuracy(float[] p, float[] g) {
        int ok = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == g[i]) {
                ok++;
            }
        }
        return (double) ok / p.length;
    }

    /** F1 of class 1; 0 when there is no true positive. */
    public static double f1(float[] p, float[] g) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < p.length; i++) {
            boolean pp = p[i] == 1f;
            boolean gp = g[i] == 1f;
            if (pp && gp) {
                tp++;
            } else if (pp) {
                fp++;
            } else if (gp) {
                fn++;
            }
        }
        return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /** Matthews correlation of binary labels; 0 when a marginal is empty (as scikit-learn). */
    public static double matthews(float[] p, float[] g) {
        double tp = 0;
        double tn = 0;
        double fp = 0;
        double fn = 0;
        for (int i = 0; i < p.length; i++) {
            boolean pp = p[i] == 1f;
            boolean gp = g[i] == 1f;
            if (pp && gp) {
                tp++;
            } else if (!pp && !gp) {
                tn++;
            } else if (pp) {
                fp++;
            } else {
                fn++;
            }
        }
        double den = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
        return den == 0 ? 0.0 : (tp * tn - fp * fn) / den;
    }

    public static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? 0.0 : sxy / Math.sqrt(sxx * syy);
    }

    /** Spearman's rho: Pearson of the ranks, ties taking their average rank. */
    public static double spearman(float[] x, float[] y) {
        return pearson(ranks(x), ranks(y));
    }

    static double[] ranks(float[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Float.compare(v[a], v[b]));
        double[] r = new double[v.length];
        int i = 0;
        while (i < idx.length) {
            int j = i;
            while (j + 1 < idx.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
