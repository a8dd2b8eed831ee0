package io.loladeft.planning;

/**
 * The Shannon uplink with bandwidth-proportional noise: {@code R(B) = B log2(1 + gamma/B)} bit/s where
 * {@code gamma = p g / N0} (Hz) is the device's received-SNR-per-hertz. {@code R} is concave and increasing
 * in {@code B}, from 0 at {@code B = 0} to {@code gamma / ln 2} as {@code B -> infinity}.
 */
final class Uplink {

    static final double LN2 = Math.log(2.0);

    private Uplink() {}

    /** {@code 10^((dBm - 30)/10)}: dBm (or dBm/Hz) to W (or W/Hz). */
    static double dbmToWatts(double dbm) {
        return Math.pow(10.0, (dbm - 30.0) / 10.0);
    }

    /** {@code 10^(dB/10)}: a power gain in dB to linear. */
    static double dbToLinear(double db) {
        return Math.pow(10.0, db / 10.0);
    }

    /** {@code gamma = p g / N0} in Hz. */
    static double gamma(double txPowerDbm, double channelGainDb, double noisePsdDbmPerHz) {
        return dbmToWatts(txPowerDbm) * dbToLinear(channelGainDb) / dbmToWatts(noisePsdDbmPerHz);
    }

    /**
     * Rate in bit/s at bandwidth {@code b} Hz; 0 at {@code b <= 0}. When {@code x = gamma/b} overflows (a bandwidth
     * such as 1e-320 Hz) {@code ln(1+x)} is taken as {@code ln gamma - ln b}, exact to rounding there, so the rate
     * stays the tiny positive number it is instead of {@code b * infinity}.
     */
    static double rate(double b, double gamma) {
        if (b <= 0) {
            return 0.0;
        }
        return b * log1pRatio(gamma, b) / LN2;
    }

    /** {@code ln(1 + gamma/b)} without overflow of the ratio: {@code ln gamma - ln b} once it exceeds 1e300. */
    static double log1pRatio(double gamma, double b) {
        double x = gamma / b;
        return x < 1e300 ? Math.log1p(x) : Math.log(gamma) - Math.log(b);
    }

    /**
     * {@code R'(B) = (ln(1+x) - x/(1+x)) / ln 2} with {@code x = gamma/B}: positive and decreasing; a series for
     * small {@code x}, where the difference cancels.
     */
    static double slope(double b, double gamma) {
        double x = gamma / b;
        double num;
        if (x < 1e-3) {
            num = x * x * (0.5 - x * (2.0 / 3.0 - x * 0.75));
        } else {
            num = Math.log1p(x) - x / (1 + x);
        }
        return num / LN2;
    }

    /**
     * {@link #slope} at a bandwidth {@code b} whose rate is (to rounding) {@code r}, as after {@link #bandwidthFor}:
     * then {@code ln(1+x) = r ln2 / b} and no logarithm is needed (the series below {@code x = 1e-3} as there).
     */
    static double slopeAt(double b, double gamma, double r) {
        double x = gamma / b;
        if (x < 1e-3) {
            return x * x * (0.5 - x * (2.0 / 3.0 - x * 0.75)) / LN2;
        }
        return (r * LN2 / b - x / (1 + x)) / LN2;
    }

    /** The supremum of the rate, {@code gamma / ln 2}, approached as bandwidth grows without bound. */
    static double maxRate(double gamma) {
        return gamma / LN2;
    }

    /** Seconds to upload {@code bits} at bandwidth {@code b}: infinite at {@code b = 0} unless nothing is sent. */
    static double uploadSeconds(double bits, double b, double gamma) {
        if (bits <= 0) {
            return 0.0;
        }
        double r = rate(b, gamma);
        return r > 0 ? bits / r : Double.POSITIVE_INFINITY;
    }

    /**
     * The least bandwidth with {@code R(B) >= r}; {@code +infinity} when {@code r >= gamma/ln 2}.
     * With {@code x = gamma/B} the condition is {@code ln(1+x)/x = c}, {@code c = r ln2 / gamma} in (0,1), i.e. the
     * positive root of the concave {@code f(x) = ln(1+x) - c x}. In closed form {@code 1 + x = -W_{-1}(-c e^{-c})/c}
     * (the other branch, {@code W_0}, gives the trivial root {@code x = 0}); {@link #rootGuess} evaluates that from
     * the series of {@code W_{-1}} at its branch point ({@code c} near 1) or its logarithmic asymptote ({@code c}
     * small), then Halley's method on {@code f} (one {@code log1p} per step, cubic convergence) finishes to full
     * precision, usually in two steps. The result is nudged up until the rate check passes, so callers may rely on
     * {@code rate(bandwidthFor(r)) >= r}.
     */
    static double bandwidthFor(double r, double gamma) {
        if (r <= 0) {
            return 0.0;
        }
        double c = r * LN2 / gamma;
        if (!(c < 1.0)) {
            return Double.POSITIVE_INFINITY;
        }
        double x = rootX(c);
        double b = gamma / x;
        double step = 1e-15;
        for (int guard = 0; guard < 80 && rate(b, gamma) < r; guard++) {
            b = b * (1 + step);
            step *= 2;
        }
        return b;
    }

    /** The positive root {@code x} of {@code ln(1+x) = c x}, {@code 0 < c < 1}: Halley from {@link #rootGuess}. */
    static double rootX(double c) {
        double x = rootGuess(c);
        for (int it = 0; it < 20; it++) {
            double f = Math.log1p(x) - c * x;
            double inv = 1.0 / (1.0 + x);
            double fp = inv - c;
            double fpp = -inv * inv;
            double next = x - 2 * f * fp / (2 * fp * fp - f * fpp);
            if (!(next > 0) || !Double.isFinite(next)) {
                // Only for a start far off in rounding-dominated corners: fall back to a damped step.
                next = next > 0 ? x * 2 : x * 0.5;
            }
            double delta = Math.abs(next - x);
            x = next;
            // Cubic convergence: after a step below 1e-6 relative the error is far below one ulp.
            if (delta <= 1e-6 * x) {
                break;
            }
        }
        return x;
    }

    /**
     * A start for {@link #rootX}: {@code 1 + x = -W_{-1}(z)/c} with {@code z = -c e^{-c}}. Near the branch point
     * ({@code c > 0.3}) the series {@code W = -1 + p - p^2/3 + 11 p^3/72 - 43 p^4/540}, {@code p = -sqrt(2(1 + e z))};
     * below it the asymptote {@code W = L1 - L2 + L2/L1 + L2(L2 - 2)/(2 L1^2)}, {@code L1 = ln(-z)},
     * {@code L2 = ln(-L1)}. Within a few percent everywhere, so Halley needs two or three steps.
     */
    static double rootGuess(double c) {
        if (c > 0.3) {
            double eps = 1.0 - c;
            // 1 + e z = 1 - (1 - eps) e^eps, without cancellation: eps - expm1(eps) + eps * expm1(eps).
            double em = Math.expm1(eps);
            double q = 2 * (eps - em + eps * em);
            double p = -Math.sqrt(Math.max(q, 0));
            // -W - c = eps - p + p^2/3 - 11p^3/72 + 43p^4/540
            double x = (eps - p + p * p / 3 - 11 * p * p * p / 72 + 43 * p * p * p * p / 540) / c;
            return x > 0 ? x : 2 * eps;
        }
        double l1 = Math.log(c) - c;
        double l2 = Math.log(-l1);
        double w = l1 - l2 + l2 / l1 + l2 * (l2 - 2) / (2 * l1 * l1);
        return -w / c - 1;
    }
}
