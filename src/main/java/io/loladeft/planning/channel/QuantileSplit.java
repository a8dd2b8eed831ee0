package io.loladeft.planning.channel;

/**
 * The round latency a fixed assignment promises with probability {@code 1 - epsilon} under independent block fading,
 * and the bandwidth split that makes that promise smallest.
 *
 * <p>Each involved device {@code k} computes for {@code c_k} seconds and sends {@code s_k} bits at
 * {@code B_k log2(1 + gamma_k z_k / B_k)}, where {@code gamma_k} is its SNR per hertz at its mean gain and
 * {@code z_k} the round's normalized gain. It is done by {@code T} exactly when {@code z_k} reaches
 * {@code z_k(T) = expm1(s_k ln2 / ((T - c_k) B_k)) B_k / gamma_k}, so
 * {@code P(round <= T) = prod_k P(Z > z_k(T))}, increasing in {@code T}: its {@code 1 - epsilon} quantile is a
 * bisection ({@link #quantile}, on the channel's exact CDF).
 *
 * <p><b>The split.</b> For a given {@code T} the devices share an outage budget: the round meets {@code T} with
 * probability at least {@code 1 - epsilon} iff {@code sum_k H(z_k(T, B_k)) <= -ln(1 - epsilon)}
 * ({@link OutageExponent}). {@code z_k} is convex and decreasing in {@code B_k} (a perspective of {@code expm1}) and
 * {@code H} convex and increasing, so minimizing the sum over {@code sum_k B_k = B} is a convex resource allocation:
 * at its optimum every device's marginal exponent per hertz equals one price {@code lambda}, which is a bisection, and
 * each device's bandwidth at a price is a one-dimensional root ({@link OutageExponent#root}). The smallest {@code T}
 * whose optimal sum fits the budget is a bisection over that. For Rayleigh ({@code H(z) = z}) this is the exact
 * minimum of the quantile over all splits of the assignment; for Rician, {@code H} is tabulated, so the split is
 * optimal for the table and its promise is then evaluated exactly.
 */
final class QuantileSplit {

    private static final double LN2 = Math.log(2.0);

    private QuantileSplit() {}

    /** The level of the normalized gain device {@code k} needs to finish by {@code t}; {@code +inf} if it cannot. */
    static double needed(double c, double bits, double gamma, double bandwidthHz, double t) {
        if (!(t > c) || !(bandwidthHz > 0)) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.expm1(bits * LN2 / ((t - c) * bandwidthHz)) * bandwidthHz / gamma;
    }

    /** {@code ln P(round <= t)} on the channel's exact CDF. */
    static double logOnTime(
            double[] c, double[] bits, double[] gamma, double[] bandwidthHz, ChannelModel channel, double t) {
        double sum = 0;
        for (int k = 0; k < c.length; k++) {
            double z = needed(c[k], bits[k], gamma[k], bandwidthHz[k], t);
            if (z == Double.POSITIVE_INFINITY) {
                return Double.NEGATIVE_INFINITY;
            }
            sum += Math.log1p(-channel.cdf(z));
        }
        return sum;
    }

    /** The smallest {@code T} with {@code P(round <= T) >= 1 - epsilon}, to a relative 1e-12. */
    static double quantile(
            double[] c, double[] bits, double[] gamma, double[] bandwidthHz, ChannelModel channel, double epsilon) {
        double need = Math.log1p(-epsilon);
        double lo = 0;
        for (double ck : c) {
            lo = Math.max(lo, ck);
        }
        double hi = Math.max(2 * lo, 1e-9);
        for (int i = 0; i < 2000 && logOnTime(c, bits, gamma, bandwidthHz, channel, hi) < need; i++) {
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > 1e-12 * hi) {
            double m = 0.5 * (lo + hi);
            if (logOnTime(c, bits, gamma, bandwidthHz, channel, m) >= need) {
                hi = m;
            } else {
                lo = m;
            }
        }
        return hi;
    }

    /**
     * The split of {@code totalHz} among the devices that minimizes the assignment's {@code 1 - epsilon} quantile.
     *
     * @param feasible a latency the assignment meets with probability at least {@code 1 - epsilon} under some split
     *                 (any split's {@link #quantile}): where the search starts from above
     */
    static double[] optimal(
            double[] c,
            double[] bits,
            double[] gamma,
            double totalHz,
            OutageExponent h,
            double epsilon,
            double feasible) {
        double budget = -Math.log1p(-epsilon);
        double[] out = new double[c.length];
        double lo = 0;
        for (double ck : c) {
            lo = Math.max(lo, ck);
        }
        double hi = feasible;
        // The table's interpolation can put the true optimum's exponent a hair above the budget: step out until a
        // split fits (for Rayleigh the first try does).
        for (int i = 0; i < 60 && exponentAt(c, bits, gamma, totalHz, h, hi, out) > budget; i++) {
            lo = hi;
            hi *= 1.01;
        }
        while (hi - lo > 1e-10 * hi) {
            double m = 0.5 * (lo + hi);
            if (exponentAt(c, bits, gamma, totalHz, h, m, out) <= budget) {
                hi = m;
            } else {
                lo = m;
            }
        }
        exponentAt(c, bits, gamma, totalHz, h, hi, out);
        return out;
    }

    /**
     * The least {@code sum_k H(z_k(t, B_k))} over splits of {@code totalHz}, its split written into {@code out}. At a
     * price {@code lambda} device {@code k} takes {@code B_k = a_k / u_k} with {@code a_k = s_k ln2 / (t - c_k)} and
     * {@code u_k} the root of {@code H'(z) ((u - 1) e^u + 1) = lambda gamma_k}; the bandwidth taken falls as the
     * price rises, and the price that spends {@code totalHz} is a bisection in {@code ln lambda}.
     */
    static double exponentAt(
            double[] c, double[] bits, double[] gamma, double totalHz, OutageExponent h, double t, double[] out) {
        int n = c.length;
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            if (!(t > c[k])) {
                return Double.POSITIVE_INFINITY;
            }
            a[k] = bits[k] * LN2 / (t - c[k]);
        }
        double lnLo = -40;
        double lnHi = -40;
        while (spend(a, gamma, h, lnHi, out) > totalHz && lnHi < 700) {
            lnLo = lnHi;
            lnHi += 8;
        }
        while (spend(a, gamma, h, lnLo, out) < totalHz && lnLo > -700) {
            lnHi = lnLo;
            lnLo -= 8;
        }
        for (int i = 0; i < 52; i++) {
            double m = 0.5 * (lnLo + lnHi);
            if (spend(a, gamma, h, m, out) > totalHz) {
                lnLo = m;
            } else {
                lnHi = m;
            }
        }
        spend(a, gamma, h, lnHi, out);
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += h.value(needed(c[k], bits[k], gamma[k], out[k], t));
        }
        return sum;
    }

    /** Bandwidth the devices take at price {@code e^lnLambda}, each device's written into {@code out}. */
    private static double spend(double[] a, double[] gamma, OutageExponent h, double lnLambda, double[] out) {
        double lambda = Math.exp(lnLambda);
        double sum = 0;
        for (int k = 0; k < a.length; k++) {
            double u = h.root(lambda * gamma[k], a[k] / gamma[k]);
            out[k] = a[k] / u;
            sum += out[k];
        }
        return sum;
    }
}
