package io.loladeft.planning;

/**
 * The Shannon uplink with bandwidth-proportional noise: {@code R(B) = B log2(1 + gamma/B)} bit/s where
 * {@code gamma = p g / N0} (Hz) is the device's received-SNR-per-hertz. {@code R} is concave and increasing
 * in {@code B}, from 0 at {@code B = 0} to {@code gamma / ln 2} as {@code B -> infinity}.
 */
final class Uplink {

    static final double LN2 = Math.log(2.0);

    private Uplink() {
    }

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

    /** Rate in bit/s at bandwidth {@code b} Hz; 0 at {@code b <= 0}. */
    static double rate(double b, double gamma) {
        if (b <= 0) {
            return 0.0;
        }
        return b * Math.log1p(gamma / b) / LN2;
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
     * With {@code x = gamma/B} the condition is {@code ln(1+x)/x = c}, {@code c = r ln2 / gamma} in (0,1); the
     * concave {@code f(x) = ln(1+x) - c x} has one positive root, which Newton's method reaches monotonically from
     * the right (the tangent of a concave function lies above it). The result is nudged up until the rate
     * check passes, so callers may rely on {@code rate(bandwidthFor(r)) >= r}.
     */
    static double bandwidthFor(double r, double gamma) {
        if (r <= 0) {
            return 0.0;
        }
        double c = r * LN2 / gamma;
        if (!(c < 1.0)) {
            return Double.POSITIVE_INFINITY;
        }
        // Start right of the root: f(x0) < 0 and f decreasing there.
        double x = 2.0 / (c * c);
        while (Math.log1p(x) - c * x >= 0) {
            x *= 2.0;
        }
        for (int it = 0; it < 200; it++) {
            double f = Math.log1p(x) - c * x;
            double fp = 1.0 / (1.0 + x) - c;
            double next = x - f / fp;
            if (!(next < x) || next <= 0) {
                break;
            }
            if (x - next <= 1e-15 * x) {
                x = next;
                break;
            }
            x = next;
        }
        double b = gamma / x;
        double step = 1e-15;
        for (int guard = 0; guard < 80 && rate(b, gamma) < r; guard++) {
            b = b * (1 + step);
            step *= 2;
        }
        return b;
    }
}
