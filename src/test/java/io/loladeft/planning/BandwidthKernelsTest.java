package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Newton root finders of {@link BandwidthSplit} against plain bisection and their defining equations. */
class BandwidthKernelsTest {

    /** The min-max latency by bisection on T to the last bit (the method the Newton iteration replaced). */
    private static double bisectionMinMax(double[] c, double[] s, double[] g, double budget) {
        double lo = 0;
        double hi = 0;
        for (int i = 0; i < c.length; i++) {
            lo = Math.max(lo, c[i] + Uplink.uploadSeconds(s[i], budget, g[i]));
            hi = Math.max(hi, c[i] + Uplink.uploadSeconds(s[i], budget / c.length, g[i]));
        }
        for (int it = 0; it < 2000; it++) {
            double mid = 0.5 * (lo + hi);
            if (!(mid > lo && mid < hi)) {
                break;
            }
            double need = 0;
            for (int i = 0; i < c.length; i++) {
                need += mid > c[i] ? Uplink.bandwidthFor(s[i] / (mid - c[i]), g[i]) : Double.POSITIVE_INFINITY;
            }
            if (need <= budget) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    @Test
    void minMaxSplitMatchesBisection() {
        SplittableRandom r = new SplittableRandom(20240601L);
        for (int trial = 0; trial < 3000; trial++) {
            int n = 1 + r.nextInt(40);
            double[] c = new double[n];
            double[] s = new double[n];
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                c[i] = r.nextInt(5) == 0 ? 0 : Math.pow(10, -3 + 4 * r.nextDouble());
                s[i] = Math.pow(10, 3 + 6 * r.nextDouble());
                // gamma/B from -30 to +60 dB around the per-device share
                g[i] = Math.pow(10, 5 + 4 * r.nextDouble()) * Math.pow(10, -3 + 9 * r.nextDouble());
            }
            double budget = Math.pow(10, 4 + 5 * r.nextDouble());
            BandwidthSplit.Split sp = BandwidthSplit.minMax(c, s, g, budget);
            double total = 0;
            double worst = 0;
            for (int i = 0; i < n; i++) {
                total += sp.hz()[i];
                worst = Math.max(worst, c[i] + Uplink.uploadSeconds(s[i], sp.hz()[i], g[i]));
            }
            assertTrue(total <= budget * (1 + 1e-12), "over budget, trial " + trial);
            assertEquals(worst, sp.latency(), 0.0, "reported latency is the max, trial " + trial);
            if (n > 1) {
                double ref = bisectionMinMax(c, s, g, budget);
                assertEquals(ref, sp.latency(), 1e-12 * ref, "trial " + trial);
            }
        }
    }

    @Test
    void marginalRootOnGridFromFarStarts() {
        for (double la = -8; la <= 8; la += 1) {
            for (double lg = 3; lg <= 12; lg += 1) {
                for (double le = -20; le <= 0; le += 1) {
                    for (double guess : new double[] {1e-3, 1e3, 1e9}) {
                        double a = Math.pow(10, la);
                        double g = Math.pow(10, lg);
                        double eta = Math.pow(10, le);
                        double b = BandwidthSplit.solveMarginal(a, g, eta, guess);
                        if (b > 1e-290 && b < 1e290) {
                            double res = BandwidthSplit.marginal(a, g, b) / eta - 1;
                            assertTrue(
                                    Math.abs(res) <= 1e-12,
                                    "a=" + a + " gamma=" + g + " eta=" + eta + " guess=" + guess + ": residual " + res);
                        }
                    }
                }
            }
        }
    }
}
