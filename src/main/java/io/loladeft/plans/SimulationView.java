package io.loladeft.plans;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * What a simulation measured: per policy its realized round latencies and their ratio to each round's optimum;
 * per round every device's sampled gain, the optimum and each policy's latency.
 */
@Schema(description = "Policies compared under a fading channel on the same seeded draws")
public record SimulationView(
        @Schema(description = "The algorithm every policy planned with")
        String algorithm,

        @Schema(description = "What computed each round's optimum: exact, or joint where exact refuses the size")
        String optimumAlgorithm,

        @Schema(description = "The fading model simulated") PlanRequest.ChannelRequest channel,
        int rounds,
        long seed,
        double outageProbability,

        @Schema(description = "Device names in the order of every round's gainsDb")
        List<String> devices,

        @Schema(description = "The per-round optimum's latencies")
        Stats optimum,

        List<PolicyView> policies,
        List<RoundView> perRound) {

    /** Over the rounds: mean, median, 95th percentile (nearest rank), maximum and sum, in seconds (or ratios). */
    public record Stats(double mean, double p50, double p95, double max, double total) {}

    /**
     * One policy's outcome.
     *
     * @param plannedRoundLatencySeconds what its one plan promised (static, robust)
     * @param roundsOverPlanned          rounds whose realized latency exceeded that promise (static, robust)
     * @param assignments                its one plan (static, robust)
     */
    public record PolicyView(
            String policy,
            Double plannedRoundLatencySeconds,
            Stats realized,

            @Schema(description = "Per-round ratio of its latency to the round's optimum")
            Stats ratioToOptimum,

            Integer roundsOverPlanned,
            List<PlanView.AssignmentView> assignments) {}

    /** One round: each device's sampled gain (devices order), the optimum, and each policy's latency and ratio. */
    public record RoundView(
            int round,
            List<Double> gainsDb,
            double optimumSeconds,

            @Schema(description = "Realized round latency by policy")
            Map<String, Double> latencySeconds,

            @Schema(description = "Latency over the round's optimum by policy")
            Map<String, Double> ratioToOptimum) {}
}
