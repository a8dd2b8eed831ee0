package io.loladeft.planning;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The planning algorithms and baselines, with their names on the wire (and accepted aliases). */
public enum Algorithm {
    /**
     * The default: joint bandwidth-and-block allocation (P2). One block per device: the exact parametric method
     * (optimal to 1e-10, polynomial); several: the exact run search to the gap tolerance within the budget (the
     * packing heuristic for blocks of several sizes), gap reported.
     * {@code jbba} is accepted as an alias (what this algorithm was called before the paper's dual ascent got its
     * own name).
     */
    JOINT("joint", "jbba"),
    /** The paper's dual ascent as published (one block per device), with its own dual bound and gap. */
    DUAL_ASCENT("dual-ascent"),
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
    private final String[] aliases;

    Algorithm(String wireName, String... aliases) {
        this.wireName = wireName;
        this.aliases = aliases;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * Whether the algorithm chooses how the band is split (the joint methods and the baselines that end with the
     * exact split); CRUNCH, equal-bandwidth and random give each device a bandwidth fixed beforehand.
     */
    public boolean splitsBandwidth() {
        return this != CRUNCH && this != EQUAL_BANDWIDTH && this != RANDOM;
    }

    /**
     * The algorithm with this wire name or alias ({@code jbba} is {@link #JOINT}); {@link IllegalArgumentException}
     * naming the valid ones otherwise.
     */
    public static Algorithm fromWireName(String name) {
        for (Algorithm a : values()) {
            if (a.wireName.equals(name) || Arrays.asList(a.aliases).contains(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + name + "'; valid values: "
                + Arrays.stream(values()).map(Algorithm::wireName).collect(Collectors.joining(", "))
                + " (jbba is an alias of joint)");
    }
}
