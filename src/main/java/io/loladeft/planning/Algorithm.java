package io.loladeft.planning;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The planning algorithms and baselines, with their names on the wire. */
public enum Algorithm {
    /** Joint bandwidth-and-block allocation (P2) by dual ascent. */
    JBBA("jbba"),
    /** Exact block allocation (P1) with given bandwidths: each device's fixed bandwidth, else {@code B/K}. */
    CRUNCH("crunch"),
    /** The exact optimum of P2, for sizes it can finish. */
    EXACT("exact"),
    /** CRUNCH with {@code B/K} for every device. */
    EQUAL_BANDWIDTH("equal-bandwidth"),
    /** Fastest device takes the first block in layer order, then the exact bandwidth split. */
    DEPTH_UNAWARE("depth-unaware"),
    /** The single most capable device trains every block with the whole band. */
    OFFLOAD("offload"),
    /** A seeded random feasible assignment with {@code B/K} each. */
    RANDOM("random");

    private final String wireName;

    Algorithm(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The algorithm with this wire name; {@link IllegalArgumentException} naming the valid ones otherwise. */
    public static Algorithm fromWireName(String name) {
        for (Algorithm a : values()) {
            if (a.wireName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + name + "'; valid values: "
                + Arrays.stream(values()).map(Algorithm::wireName).collect(Collectors.joining(", ")));
    }
}
