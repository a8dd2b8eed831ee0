package io.loladeft.planning.channel;

import io.loladeft.planning.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * How a device's uplink power gain varies around its mean ({@code channelGainDb}): block fading, one independent
 * draw per device every {@code coherenceRounds} rounds. The draws are of the normalized power gain {@code z} (mean
 * 1); the round's gain is {@code channelGainDb + 10 log10 z}.
 *
 * @param kind            static (no fading), rayleigh ({@code z ~ Exp(1)}), or rician (line of sight plus scatter)
 * @param coherenceRounds rounds one draw lasts, at least 1
 * @param kFactor         rician only: power of the line-of-sight path over the scattered power ({@code K >= 0};
 *                        0 is rayleigh); ignored by the other kinds
 */
public record ChannelModel(Kind kind, int coherenceRounds, double kFactor) {

    /** Rician K-factors above this make the Poisson mixture of the CDF slow and the channel all but static. */
    public static final double MAX_K_FACTOR = 100;

    /** The fading distributions. */
    public enum Kind {
        STATIC("static"),
        RAYLEIGH("rayleigh"),
        RICIAN("rician");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** The kind with this wire name; {@link IllegalArgumentException} naming the valid ones otherwise. */
        public static Kind fromWireName(String name) {
            for (Kind k : values()) {
                if (k.wireName.equals(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown channel model '" + name + "'; valid values: "
                    + Arrays.stream(values()).map(Kind::wireName).collect(Collectors.joining(", ")));
        }
    }

    public static ChannelModel staticChannel() {
        return new ChannelModel(Kind.STATIC, 1, 0);
    }

    public static ChannelModel rayleigh(int coherenceRounds) {
        return new ChannelModel(Kind.RAYLEIGH, coherenceRounds, 0);
    }

    public static ChannelModel rician(int coherenceRounds, double kFactor) {
        return new ChannelModel(Kind.RICIAN, coherenceRounds, kFactor);
    }

    /** What is wrong with these settings, each naming its field under {@code prefix}; empty when they are usable. */
    public List<Violation> violations(String prefix) {
        List<Violation> bad = new ArrayList<>();
        if (kind == null) {
            bad.add(new Violation(prefix + "model", "is required"));
        }
        if (coherenceRounds < 1) {
            bad.add(new Violation(prefix + "coherenceRounds", "must be at least 1, was " + coherenceRounds));
        }
        if (kind == Kind.RICIAN && !(kFactor >= 0 && kFactor <= MAX_K_FACTOR)) {
            bad.add(new Violation(
                    prefix + "kFactor",
                    String.format(Locale.ROOT, "must be within 0..%.0f for rician, was %s", MAX_K_FACTOR, kFactor)));
        }
        return bad;
    }

    /** One draw of the normalized power gain (mean 1); always positive, so a rate is never 0. */
    double sample(SplittableRandom rng) {
        return switch (kind) {
            case STATIC -> 1.0;
            case RAYLEIGH -> Fading.exponential(rng);
            case RICIAN -> Fading.rician(rng, kFactor);
        };
    }

    /**
     * The {@code q}-quantile of the normalized power gain: {@code P(z <= quantile(q)) = q}. Rayleigh in closed form
     * ({@code -ln(1 - q)}), rician by inverting its CDF (a Poisson mixture of gamma CDFs), static 1.
     */
    public double quantile(double q) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("quantile level must be within (0, 1): " + q);
        }
        return switch (kind) {
            case STATIC -> 1.0;
            case RAYLEIGH -> -Math.log1p(-q);
            case RICIAN -> Fading.ricianQuantile(q, kFactor);
        };
    }

    /** {@code P(z <= x)} of the normalized power gain (static: a step at 1). */
    public double cdf(double x) {
        return switch (kind) {
            case STATIC -> x >= 1 ? 1.0 : 0.0;
            case RAYLEIGH -> x <= 0 ? 0.0 : -Math.expm1(-x);
            case RICIAN -> Fading.ricianCdf(x, kFactor);
        };
    }
}
