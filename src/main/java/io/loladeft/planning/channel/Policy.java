package io.loladeft.planning.channel;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a simulated job plans its rounds under a fading channel. */
public enum Policy {
    /** Plan once on the mean gains (today's behaviour) and keep that plan for every round. */
    STATIC("static"),
    /**
     * Plan once so that the round finishes within the planned latency with probability {@code 1 - outageProbability}
     * under the channel model, that latency as small as the search finds ({@link RobustPlanner}), and keep that plan.
     */
    ROBUST("robust"),
    /** Re-plan every round on that round's gains (perfect channel state at the start of the round). */
    ADAPTIVE("adaptive");

    private final String wireName;

    Policy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The policy with this wire name; {@link IllegalArgumentException} naming the valid ones otherwise. */
    public static Policy fromWireName(String name) {
        for (Policy p : values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + name + "'; valid values: "
                + Arrays.stream(values()).map(Policy::wireName).collect(Collectors.joining(", ")));
    }
}
