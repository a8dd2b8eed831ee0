package io.loladeft.planning.channel;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.PlanningProblem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A simulation to run: a fleet at its mean gains, how its channel fades, and the policies to compare on the same
 * draws.
 *
 * @param problem            the planning problem; each device's {@code channelGainDb} is its mean gain
 * @param algorithm          the algorithm every policy plans with ({@code joint} by default in the API)
 * @param channel            the fading model
 * @param rounds             rounds to simulate
 * @param seed               seed of the draws: the same seed, the same gains
 * @param policies           the policies to compare, in the order the result lists them (no repeats)
 * @param outageProbability  {@code epsilon} of {@link Policy#ROBUST}: the round exceeds its planned latency with
 *                           probability at most this
 */
public record Simulation(
        PlanningProblem problem,
        Algorithm algorithm,
        ChannelModel channel,
        int rounds,
        long seed,
        List<Policy> policies,
        double outageProbability) {

    public Simulation {
        // Not List.copyOf: a null entry must reach the checks and be named there, not throw here.
        policies = policies == null ? null : Collections.unmodifiableList(new ArrayList<>(policies));
    }
}
