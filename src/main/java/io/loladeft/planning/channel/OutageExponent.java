package io.loladeft.planning.channel;

/**
 * A device's share of a round's outage: {@code H(z) = -ln P(Z > z)} of the normalized power gain {@code Z}, and its
 * slope. A fixed plan finishes a round within {@code T} when every involved device's gain is above the level
 * {@code z_k} its upload needs by then, so with independent fading {@code -ln P(round <= T) = sum_k H(z_k)}: the
 * exponents add, which is what lets {@link QuantileSplit} share an outage budget among devices.
 *
 * <p>Rayleigh in closed form ({@code H(z) = z}). Rician has no closed form; its {@code H} is tabulated once from the
 * channel's CDF on a grid even in {@code ln z} and interpolated linearly, so it is exact at the grid points and its
 * slope is a non-decreasing step (the Rician gain has an increasing hazard rate). The table only steers the split;
 * the latency a plan promises is always evaluated on the exact CDF ({@link QuantileSplit#quantile}).
 */
abstract class OutageExponent {

    /** {@code H(z)}, {@code +inf} where the gain is never that high. */
    abstract double value(double z);

    /** {@code dH/dz} at {@code z}, positive. */
    abstract double slope(double z);

    /**
     * The {@code u > 0} at which {@code slope(zScale expm1(u) / u) ((u - 1) e^u + 1) = target}: where a device that
     * needs rate {@code a / ln 2} has its exponent's marginal value per hertz equal to the split's price
     * ({@link QuantileSplit}; {@code u = a / B}, {@code z = zScale expm1(u) / u}). The left side increases in
     * {@code u}, so the root is unique.
     */
    double root(double target, double zScale) {
        double lo = 0;
        double hi = 1;
        while (slope(zScale * Math.expm1(hi) / hi) * growth(hi) < target && hi < 700) {
            lo = hi;
            hi *= 2;
        }
        for (int i = 0; i < 60; i++) {
            double m = 0.5 * (lo + hi);
            if (slope(zScale * Math.expm1(m) / m) * growth(m) < target) {
                lo = m;
            } else {
                hi = m;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** {@code (u - 1) e^u + 1}, accurate for small {@code u} (it is {@code u^2/2 + u^3/3 + ...}). */
    static double growth(double u) {
        return u < 1e-3 ? u * u * (0.5 + u / 3 + u * u / 8) : (u - 1) * Math.exp(u) + 1;
    }

    /** The exponent of a fading channel (not {@code static}: its outage is all or nothing). */
    static OutageExponent of(ChannelModel channel) {
        return switch (channel.kind()) {
            case RAYLEIGH -> new Rayleigh();
            case RICIAN -> new Table(channel);
            case STATIC -> throw new IllegalArgumentException("a static channel has no outage exponent");
        };
    }

    private static final class Rayleigh extends OutageExponent {
        @Override
        double value(double z) {
            return Math.max(z, 0.0);
        }

        @Override
        double slope(double z) {
            return 1.0;
        }

        /**
         * {@code (u - 1) e^u + 1 = target} by Newton's method from above: the left side is increasing and convex,
         * so from a start above the root every step stays above it and the iteration converges monotonically. Both
         * starts are above the root: {@code growth(u) >= u^2/2}, and for {@code target >= e},
         * {@code growth(1 + ln target) >= target ln target >= target}.
         */
        @Override
        double root(double target, double zScale) {
            double u = Math.sqrt(2 * target);
            if (target >= Math.E) {
                u = Math.min(u, 1 + Math.log(target));
            }
            for (int i = 0; i < 200; i++) {
                double next = u - (growth(u) - target) / (u * Math.exp(u));
                if (!(next < u) || u - next <= 1e-15 * u) {
                    return Math.max(next, 0x1p-1022);
                }
                u = next;
            }
            return u;
        }
    }

    private static final class Table extends OutageExponent {

        private static final int POINTS = 4096;
        private final double lnLo;
        private final double step;
        private final double[] h;

        Table(ChannelModel channel) {
            // From where the CDF is 1e-12 (below it H is linear in z to 12 digits) to where it is 1 - 1e-9 (H ~ 21,
            // far beyond any outage budget -ln(1 - epsilon) a request can ask for with epsilon < 1 - 1e-9).
            lnLo = Math.log(channel.quantile(1e-12));
            double lnHi = Math.log(channel.quantile(1 - 1e-9));
            step = (lnHi - lnLo) / (POINTS - 1);
            h = new double[POINTS];
            for (int i = 0; i < POINTS; i++) {
                h[i] = -Math.log1p(-channel.cdf(Math.exp(lnLo + i * step)));
            }
        }

        @Override
        double value(double z) {
            if (!(z > 0)) {
                return 0.0;
            }
            double x = (Math.log(z) - lnLo) / step;
            if (x <= 0) {
                return h[0] * Math.exp(x * step); // H(z) ~ c z near 0
            }
            int i = (int) x;
            if (i >= POINTS - 1) {
                return Double.POSITIVE_INFINITY;
            }
            return h[i] + (x - i) * (h[i + 1] - h[i]);
        }

        @Override
        double slope(double z) {
            double x = (Math.log(z) - lnLo) / step;
            if (x <= 0) {
                return h[0] / Math.exp(lnLo);
            }
            int i = Math.min((int) x, POINTS - 2);
            double z0 = Math.exp(lnLo + i * step);
            double z1 = Math.exp(lnLo + (i + 1) * step);
            return Math.max((h[i + 1] - h[i]) / (z1 - z0), Double.MIN_NORMAL);
        }
    }
}
