package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The Shannon inverse {@link Uplink#bandwidthFor} (Lambert-W start, Halley steps) against a plain bisection on the
 * rate, on a grid of extreme inputs: bandwidths from 1 mHz to 1 THz and SNRs {@code gamma/B} from -30 to +60 dB.
 */
class UplinkInverseTest {

    /** The least {@code b} with {@code rate(b) >= r}, by bisection on {@code ln b} to the last bit. */
    private static double bisection(double r, double gamma) {
        double lo = 1e-300;
        double hi = 1e300;
        for (int i = 0; i < 5000; i++) {
            double mid = Math.sqrt(lo) * Math.sqrt(hi);
            if (!(mid > lo && mid < hi)) {
                break;
            }
            if (Uplink.rate(mid, gamma) >= r) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /**
     * How much a relative rounding of {@code r} moves the answer: {@code d ln B / d ln R = ln(1+x) / (ln(1+x) -
     * x/(1+x))}, about {@code 2/x} at low SNR, where the rate saturates and {@code B} is ill-conditioned.
     */
    private static double condition(double x) {
        double l = Math.log1p(x);
        double d = x < 1e-3 ? x * x * (0.5 - x * (2.0 / 3.0 - x * 0.75)) : l - x / (1 + x);
        return l / d;
    }

    @Test
    void matchesBisectionOnExtremeGrid() {
        int cases = 0;
        for (double lb = -3; lb <= 12; lb += 0.5) {
            double b = Math.pow(10, lb);
            for (double snrDb = -30; snrDb <= 60; snrDb += 1.5) {
                double x = Math.pow(10, snrDb / 10);
                double gamma = x * b;
                double r = Uplink.rate(b, gamma);
                double fast = Uplink.bandwidthFor(r, gamma);
                double ref = bisection(r, gamma);
                assertTrue(Uplink.rate(fast, gamma) >= r, "rate below target at B=" + b + ", SNR " + snrDb + " dB");
                double tol = Math.max(1e-12, 1e-15 * condition(x));
                assertEquals(ref, fast, tol * ref, "B=" + b + " Hz, SNR " + snrDb + " dB");
                cases++;
            }
        }
        assertTrue(cases > 1000);
    }

    @Test
    void rootOfLogEquationToFullPrecision() {
        // ln(1+x) = c x, from c = 1 - 1e-12 (x ~ 2e-12) down to c = 1e-12 (x ~ 3e13).
        for (double e = -12; e <= -1e-9; e += 0.05) {
            for (double c : new double[] {Math.pow(10, e), 1 - Math.pow(10, e)}) {
                double x = Uplink.rootX(c);
                double guess = Uplink.rootGuess(c);
                assertTrue(Math.abs(guess - x) <= 0.05 * x, "start off by more than 5% at c=" + c);
                // f(x) = ln(1+x) - c x changes sign across x (up to rounding of the terms).
                double slack = 4 * Math.ulp(c * x) + 4 * Math.ulp(Math.log1p(x));
                assertTrue(
                        Math.abs(Math.log1p(x) - c * x) <= slack + 1e-15 * Math.abs(1 / (1 + x) - c) * x,
                        "residual at c=" + c);
            }
        }
    }

    @Test
    void edgeCases() {
        assertEquals(0.0, Uplink.bandwidthFor(0, 1e7));
        assertEquals(Double.POSITIVE_INFINITY, Uplink.bandwidthFor(Uplink.maxRate(1e7), 1e7));
        assertEquals(Double.POSITIVE_INFINITY, Uplink.bandwidthFor(2 * Uplink.maxRate(1e7), 1e7));
    }
}
