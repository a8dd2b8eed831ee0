package io.loladeft.planning;

import java.util.Arrays;

/**
 * The bandwidth sub-problems.
 *
 * <p><b>Min-max split</b> ({@link #minMax}): with the assignment fixed, device {@code i} finishes at
 * {@code C_i + S_i / R_i(B_i)}, decreasing in {@code B_i}. For a target {@code T} the least bandwidth it needs is
 * {@code beta_i(T) = R_i^{-1}(S_i / (T - C_i))} (infinite when {@code T <= C_i}), decreasing in {@code T}; so
 * {@code T} is achievable iff {@code sum_i beta_i(T) <= B}, and the optimal {@code T} is the root of that convex,
 * decreasing function between the whole-band bound {@code max_i (C_i + S_i / R_i(B))} and the equal-split value,
 * found by Newton's method from the left (monotone, quadratic; safeguarded by bisection; {@link #solveNeed}).
 * Bandwidth left over at the end is shared in proportion (it can only lower every latency). The split never
 * exceeds the band and never does worse than the equal split of the band among the involved devices: if rounding
 * leaves no point below the equal-split latency proven feasible, the equal split is returned (never a
 * proportional scale-down, which would starve every device for one ill-conditioned one).
 *
 * <p><b>Dual bandwidth sub-problem</b> ({@link #dualBound}): for multipliers it lower-bounds
 * {@code min sum_i sigma_i (lambda_i / R_i(B_i) - mu_i)} over {@code sigma_i in [0, sigmaMax_i]},
 * {@code sum B_i <= B}. Pricing the budget at {@code eta >= 0} separates it: each device solves the 1-D convex
 * problem {@code min_B a_i / R_i(B) + eta*B} ({@code a_i = lambda_i sigmaMax_i}; {@code 1/R} is convex), whose
 * stationarity condition {@code a_i R'(B) / R(B)^2 = eta} is a monotone root find (for a linear rate
 * {@code r_i B} it is the square-root rule {@code B_i = sqrt(a_i / (r_i eta))}); the device takes part
 * ({@code sigma_i = sigmaMax_i}) only if its value minus {@code mu_i sigmaMax_i} is negative. Every {@code eta}
 * gives a valid lower bound (weak duality); a bisection on {@code eta} finds the best one, where the chosen
 * bandwidths just use the budget.
 */
final class BandwidthSplit {

    private BandwidthSplit() {}

    /** A split: the latency it reaches and each device's bandwidth. */
    record Split(double latency, double[] hz) {}

    /**
     * The exact min-max split among involved devices with compute times {@code c}, upload bits {@code s} and
     * SNR-per-hertz {@code gamma}, within {@code budget} Hz.
     */
    static Split minMax(double[] c, double[] s, double[] gamma, double budget) {
        int n = c.length;
        double[] hz = new double[n];
        if (n == 0) {
            return new Split(0, hz);
        }
        if (n == 1) {
            hz[0] = budget;
            return new Split(c[0] + Uplink.uploadSeconds(s[0], budget, gamma[0]), hz);
        }
        double lo = 0;
        double hi = 0;
        for (int i = 0; i < n; i++) {
            lo = Math.max(lo, c[i] + Uplink.uploadSeconds(s[i], budget, gamma[i]));
            hi = Math.max(hi, c[i] + Uplink.uploadSeconds(s[i], budget / n, gamma[i]));
        }
        // lo is a strict lower bound unless one device could reach it with the whole band and others need nothing:
        // the root finder's first evaluation, at lo, settles that.
        double t = solveNeed(c, s, gamma, budget, lo, hi);
        double total = 0;
        boolean finite = true;
        for (int i = 0; i < n; i++) {
            hz[i] = s[i] <= 0 ? 0 : Uplink.bandwidthFor(s[i] / (t - c[i]), gamma[i]);
            if (!(hz[i] >= 0 && hz[i] < Double.POSITIVE_INFINITY)) {
                finite = false;
            }
            total += hz[i];
        }
        if (!finite || total > budget || !(total > 0)) {
            // solveNeed returns a point whose needs were summed within the band by this very computation, except
            // when no point below the equal-split value hi was proven feasible (rounding at an ill-conditioned
            // device: rate saturation, or a slack T - C_i far below C_i's ulp). Then the equal split is the answer
            // (it reaches hi, within 1e-14 of the infeasible side). Scaling every device down instead would starve
            // the well-conditioned devices for the sake of one that is not.
            Arrays.fill(hz, budget / n);
        } else if (total < budget) {
            // Leftover bandwidth, shared in proportion: it can only lower every latency.
            double f = budget / total;
            for (int i = 0; i < n; i++) {
                hz[i] *= f;
            }
        }
        double latency = 0;
        for (int i = 0; i < n; i++) {
            latency = Math.max(latency, c[i] + Uplink.uploadSeconds(s[i], hz[i], gamma[i]));
        }
        return new Split(latency, hz);
    }

    /**
     * The root of {@code need(T) = budget} in {@code [lo, hi]} ({@code need(lo) > budget >= need(hi)}): Newton's
     * method on {@code need}, which is convex and decreasing ({@code R^{-1}} is convex increasing, {@code S/(T-C)}
     * convex decreasing), so from the infeasible side every step stays on it and the iterates rise monotonically
     * and quadratically to the root; once a step is below {@code 1e-13} relative the next point probes just above
     * it. A step that leaves the bracket (rounding) is replaced by bisection. Returns, as the bisection did, a point
     * proven feasible within {@code 1e-14} relative of one proven infeasible (never an infeasible point, whose
     * over-budget split would be scaled down and raise latencies). If {@code need(lo) <= budget}, {@code lo}.
     */
    static double solveNeed(double[] c, double[] s, double[] gamma, double budget, double lo, double hi) {
        if (!(hi > lo)) {
            return hi;
        }
        double t = lo;
        for (int it = 0; it < 100; it++) {
            // need(t) and its derivative: d beta_i / dT = -r_i / ((T - C_i) R_i'(beta_i)), r_i = S_i / (T - C_i).
            double sum = 0;
            double slope = 0;
            boolean finite = true;
            for (int i = 0; i < c.length; i++) {
                if (s[i] <= 0) {
                    if (c[i] > t) {
                        finite = false;
                        break;
                    }
                    continue;
                }
                double slack = t - c[i];
                if (!(slack > 0)) {
                    finite = false;
                    break;
                }
                double r = s[i] / slack;
                double b = Uplink.bandwidthFor(r, gamma[i]);
                if (b == Double.POSITIVE_INFINITY) {
                    finite = false;
                    break;
                }
                sum += b;
                slope -= r / (slack * Uplink.slopeAt(b, gamma[i], r));
            }
            if (finite && sum <= budget) {
                hi = t;
            } else {
                lo = t;
            }
            if (hi - lo <= 1e-14 * hi) {
                return hi;
            }
            double next = finite && slope < 0 ? t - (sum - budget) / slope : Double.NaN;
            if (next > lo && next < hi && t == lo && next - t <= 1e-13 * t) {
                // Converged from the infeasible side: probe just above the limit, so that the answer, like the
                // bisection's, is a point proven feasible within 1e-14 of one proven infeasible.
                next = Math.min(next + 0.5e-14 * next, 0.5 * (next + hi));
            }
            if (!(next > lo && next < hi)) {
                next = 0.5 * (lo + hi);
            }
            t = next;
        }
        return hi;
    }

    /** The dual sub-problem's best bound found, with the per-device choices at its price. */
    record Dual(double value, boolean[] selected, double[] hz) {}

    /**
     * Lower bound of {@code min sum_i sigma_i (lambda_i / R_i(B_i) - mu_i)} as described above, where
     * {@code a_i = lambda_i * sigmaMax_i} and {@code m_i = mu_i * sigmaMax_i}.
     */
    static Dual dualBound(double[] a, double[] m, double[] gamma, double budget) {
        int n = a.length;
        double etaLo = Double.POSITIVE_INFINITY;
        double etaHi = 0;
        for (int i = 0; i < n; i++) {
            if (a[i] > 0) {
                etaLo = Math.min(etaLo, marginal(a[i], gamma[i], budget));
                etaHi = Math.max(etaHi, marginal(a[i], gamma[i], budget / n));
            }
        }
        double[] hz = new double[n];
        boolean[] sel = new boolean[n];
        double[] bestHz = new double[n];
        boolean[] bestSel = new boolean[n];
        // eta = 0: devices may take unbounded bandwidth and reach their rate supremum.
        double best = 0;
        for (int i = 0; i < n; i++) {
            double v = a[i] > 0 ? a[i] / Uplink.maxRate(gamma[i]) - m[i] : -m[i];
            if (v < 0) {
                best += v;
                bestSel[i] = true;
                bestHz[i] = a[i] > 0 ? budget : 0;
            }
        }
        if (etaHi <= 0) {
            return new Dual(best, bestSel, bestHz);
        }
        double lo = Math.log(etaLo) - 1;
        double hi = Math.log(etaHi) + 1;
        // Per device: ln B at the previous price and d(ln marginal)/d(ln B) there, for a first-order warm start.
        double[] lnB = new double[n];
        double[] dPhi = new double[n];
        double[] out = new double[2];
        double lnEtaPrev = Double.NaN;
        for (int it = 0; it < 32; it++) {
            double mid = 0.5 * (lo + hi);
            double eta = Math.exp(mid);
            double val = -eta * budget;
            double used = 0;
            for (int i = 0; i < n; i++) {
                double b;
                double v;
                if (a[i] > 0) {
                    double start = hz[i] > 0 ? lnB[i] + (mid - lnEtaPrev) / dPhi[i] : Math.log(budget / n);
                    lnB[i] = solveMarginalLn(a[i], gamma[i], mid, start, out);
                    b = Math.exp(lnB[i]);
                    dPhi[i] = out[1];
                    v = a[i] / out[0] + eta * b - m[i];
                } else {
                    b = 0;
                    v = -m[i];
                }
                hz[i] = b;
                sel[i] = v < 0;
                if (sel[i]) {
                    val += v;
                    used += b;
                }
            }
            lnEtaPrev = mid;
            if (val > best) {
                best = val;
                for (int i = 0; i < n; i++) {
                    bestHz[i] = sel[i] ? hz[i] : 0;
                    bestSel[i] = sel[i];
                }
            }
            if (used > budget) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new Dual(best, bestSel, bestHz);
    }

    /** {@code a R'(B) / R(B)^2}: minus the derivative of {@code a / R(B)}, decreasing in {@code B}. */
    static double marginal(double a, double gamma, double b) {
        double x = gamma / b;
        double r = b * Math.log1p(x) / Uplink.LN2;
        return a * rateSlope(x) / (r * r);
    }

    /** {@code R'(B) = (ln(1+x) - x/(1+x)) / ln 2} with {@code x = gamma/B}, by series for small {@code x}. */
    private static double rateSlope(double x) {
        double num;
        if (x < 1e-3) {
            num = x * x * (0.5 - x * (2.0 / 3.0 - x * 0.75));
        } else {
            num = Math.log1p(x) - x / (1 + x);
        }
        return num / Uplink.LN2;
    }

    /**
     * The {@code B} with {@code a R'(B)/R(B)^2 = eta}: the minimiser of {@code a/R(B) + eta*B}, starting the search
     * at {@code guess}.
     */
    static double solveMarginal(double a, double gamma, double eta, double guess) {
        return Math.exp(solveMarginalLn(a, gamma, Math.log(eta), Math.log(guess), new double[2]));
    }

    /**
     * {@code ln B} where {@code phi(t) = ln(a R'(B)/R(B)^2) - ln eta = 0}, {@code B = e^t}: Newton's method in
     * {@code t}, where {@code phi} is decreasing and nearly linear (slope between -2 and -1), from {@code t0}. The
     * bracket is learnt from the signs seen; a step leaving it is replaced by bisection, or by a move of 2 towards
     * the root while one side is still open (so a bad start costs what the old bracketing did). One {@code log1p}
     * serves {@code R} and {@code R'}. Converged when a step is below {@code 1e-8} (quadratic convergence leaves an
     * error far below {@code 1e-13}, the old tolerance) or the bracket below {@code 1e-12}. On return
     * {@code out[0] = R(B)} (first-order from the last evaluation, exact to rounding) and {@code out[1] = phi'(t)}.
     */
    static double solveMarginalLn(double a, double gamma, double lnEta, double t0, double[] out) {
        double target = lnEta - Math.log(a);
        double t = t0;
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        double b = 0;
        double r = 0;
        double rp = 0;
        double dphi = -2;
        for (int it = 0; it < 200; it++) {
            if (t < -700 || t > 700) {
                // Degenerate prices: the root is beyond any bandwidth (as the old bracketing gave up at +-700).
                b = Math.exp(t);
                out[0] = Uplink.rate(b, gamma);
                out[1] = dphi;
                return t;
            }
            b = Math.exp(t);
            double x = gamma / b;
            double l = Math.log1p(x);
            r = b * l / Uplink.LN2;
            rp = (x < 1e-3 ? x * x * (0.5 - x * (2.0 / 3.0 - x * 0.75)) : l - x / (1 + x)) / Uplink.LN2;
            double rpp = -x * x / (b * (1 + x) * (1 + x) * Uplink.LN2);
            double f = Math.log(rp / (r * r)) - target;
            if (f > 0) {
                lo = t;
            } else {
                hi = t;
            }
            dphi = b * (rpp / rp - 2 * rp / r);
            double next = t - f / dphi;
            if (dphi < 0 && Math.abs(next - t) < 1e-8) {
                // Quadratic convergence: the error after this step is far below 1e-13.
                t = next;
                break;
            }
            if (!(next > lo && next < hi)) {
                if (lo == Double.NEGATIVE_INFINITY) {
                    next = t - 2;
                } else if (hi == Double.POSITIVE_INFINITY) {
                    next = t + 2;
                } else {
                    next = 0.5 * (lo + hi);
                }
            }
            t = next;
            if (hi - lo <= 1e-12) {
                break;
            }
        }
        double bt = Math.exp(t);
        out[0] = r + rp * (bt - b);
        out[1] = dphi;
        return t;
    }
}
