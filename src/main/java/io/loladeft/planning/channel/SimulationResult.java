package io.loladeft.planning.channel;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Plan;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a simulation measured.
 *
 * @param optimumAlgorithm   what computed each round's optimum: {@code exact}, or {@code joint} where the exact
 *                           solver refuses the size (several blocks per device beyond its cap)
 * @param optimum            the per-round optimum's latencies
 * @param policies           one per simulated policy, in the simulation's order
 * @param rounds             round by round
 */
public record SimulationResult(
        Algorithm optimumAlgorithm, Stats optimum, List<PolicyResult> policies, List<Round> rounds) {

    public SimulationResult {
        policies = List.copyOf(policies);
        rounds = List.copyOf(rounds);
    }

    /**
     * Mean, median, 95th percentile (nearest rank: the {@code ceil(0.95 n)}-th smallest), maximum and sum over the
     * rounds.
     */
    public record Stats(double mean, double p50, double p95, double max, double total) {

        static Stats of(double[] values) {
            double[] s = values.clone();
            Arrays.sort(s);
            double sum = 0;
            for (double v : s) {
                sum += v;
            }
            return new Stats(sum / s.length, rank(s, 0.50), rank(s, 0.95), s[s.length - 1], sum);
        }

        private static double rank(double[] sorted, double p) {
            int r = (int) Math.ceil(p * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length, r) - 1)];
        }
    }

    /**
     * One policy's outcome.
     *
     * @param policy                      the policy
     * @param plan                        the plan it kept for every round (static, robust); {@code null} for adaptive
     * @param plannedRoundLatencySeconds  that plan's promised round latency; {@code null} for adaptive
     * @param realized                    its realized round latencies
     * @param ratioToOptimum              its per-round ratios to the round's optimum
     * @param roundsOverPlanned           rounds whose realized latency exceeded the promise by more than 1e-9
     * @param plannedGainsDb              robust only: the gain (dB) each involved device's upload is priced at,
     *                                    the level it must reach to finish by the promise; {@code null} otherwise
     *                                    relative (the empirical outage count); {@code null} for adaptive
     */
    public record PolicyResult(
            Policy policy,
            Plan plan,
            Double plannedRoundLatencySeconds,
            Stats realized,
            Stats ratioToOptimum,
            Integer roundsOverPlanned,
            Map<String, Double> plannedGainsDb) {}

    /**
     * One round.
     *
     * @param round           0-based index
     * @param gainsDb         each device's sampled gain, fleet order
     * @param optimumSeconds  the exact joint optimum for these gains
     * @param latencySeconds  each policy's realized latency, in the simulation's policy order
     */
    public record Round(int round, double[] gainsDb, double optimumSeconds, double[] latencySeconds) {}
}
