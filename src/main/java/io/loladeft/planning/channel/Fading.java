package io.loladeft.planning.channel;

import java.util.SplittableRandom;

/**
 * The fading draws and distribution functions, written from the definitions with nothing but
 * {@link SplittableRandom#nextLong()} underneath: {@code nextGaussian} and {@code nextExponential} of the JDK may
 * change their algorithms between releases, and a seed must give the same draws on every JDK.
 */
final class Fading {

    private Fading() {}

    /** Uniform on the open interval (0, 1): 53 random bits, offset by half a step so 0 never comes out. */
    static double openUniform(SplittableRandom rng) {
        return ((rng.nextLong() >>> 11) + 0.5) * 0x1.0p-53;
    }

    /** {@code Exp(1)} by inversion; positive and finite (the uniform is never 0 or 1). */
    static double exponential(SplittableRandom rng) {
        return -Math.log(openUniform(rng));
    }

    /** One standard normal by Box-Muller (the cosine branch only, so each call takes exactly two uniforms). */
    static double gaussian(SplittableRandom rng) {
        double u = openUniform(rng);
        double v = openUniform(rng);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * Rician power gain with mean 1: {@code |h|^2} with {@code h = sqrt(K/(K+1)) + sqrt(1/(K+1)) CN(0, 1)}; each
     * real part of the scattered path has variance {@code 1/(2(K+1))}.
     */
    static double rician(SplittableRandom rng, double k) {
        double los = Math.sqrt(k / (k + 1));
        double sigma = Math.sqrt(0.5 / (k + 1));
        double x = los + sigma * gaussian(rng);
        double y = sigma * gaussian(rng);
        double z = x * x + y * y;
        // A zero gain has probability 0 but not measure-zero rounding; keep every rate positive.
        return z > 0 ? z : Double.MIN_NORMAL;
    }

    /**
     * {@code P(z <= x)} for the rician power gain of mean 1. {@code 2(K+1) z} is noncentral chi-square with 2
     * degrees of freedom and noncentrality {@code 2K}, a Poisson({@code K}) mixture of chi-squares with
     * {@code 2 + 2j}: {@code F(x) = sum_j Pois(j; K) P(j + 1, (K+1) x)} with {@code P} the regularized lower gamma
     * function. Weights in logarithms, so {@code e^-K} does not underflow up to {@link ChannelModel#MAX_K_FACTOR}.
     */
    static double ricianCdf(double x, double k) {
        if (x <= 0) {
            return 0.0;
        }
        double t = (k + 1) * x;
        double sum = 0;
        double logWeight = -k; // log Pois(0; K)
        int peak = (int) Math.floor(k);
        for (int j = 0; j < 100_000; j++) {
            double w = Math.exp(logWeight);
            double term = w * lowerGamma(j + 1, t);
            sum += term;
            // Past the Poisson mode both factors only shrink; stop when a term no longer moves the sum.
            if (j > peak && term <= 1e-17 * sum) {
                break;
            }
            logWeight += Math.log(k) - Math.log(j + 1);
            if (k == 0) {
                break;
            }
        }
        return Math.min(1.0, sum);
    }

    /**
     * The regularized lower incomplete gamma function {@code P(a, t)} for integer {@code a >= 1}, by its series
     * {@code e^-t t^a / a! * sum_m t^m / ((a+1)...(a+m))}: every term positive, so no cancellation at small
     * {@code t} (where outage quantiles live); the complement {@code 1 - e^-t sum_{i<a} t^i/i!} when
     * {@code t > a + 1}, where the series would need many terms and the complement is well conditioned.
     */
    static double lowerGamma(int a, double t) {
        if (t <= 0) {
            return 0.0;
        }
        if (t > a + 1) {
            double term = Math.exp(-t);
            double upper = term;
            for (int i = 1; i < a; i++) {
                term *= t / i;
                upper += term;
            }
            return Math.max(0.0, 1.0 - upper);
        }
        double logLead = -t + a * Math.log(t) - logFactorial(a);
        double s = 1;
        double term = 1;
        for (int m = 1; m < 10_000; m++) {
            term *= t / (a + m);
            s += term;
            if (term < 1e-17 * s) {
                break;
            }
        }
        return Math.min(1.0, Math.exp(logLead) * s);
    }

    private static double logFactorial(int n) {
        double s = 0;
        for (int i = 2; i <= n; i++) {
            s += Math.log(i);
        }
        return s;
    }

    /**
     * The rician quantile by bisection on the CDF (monotone): bracket [0, 1] doubled upward until it holds
     * {@code q}, then 200 halvings or until the bracket stops shrinking in floating point.
     */
    static double ricianQuantile(double q, double k) {
        double lo = 0;
        double hi = 1;
        while (ricianCdf(hi, k) < q) {
            lo = hi;
            hi *= 2;
        }
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (ricianCdf(mid, k) < q) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }
}
