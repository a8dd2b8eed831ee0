package io.loladeft.plans;

import io.loladeft.planning.Assignment;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A stored plan as the API shows it. */
public record PlanView(
        UUID id,
        String algorithm,
        double roundLatencySeconds,
        double totalLatencySeconds,
        double lowerBoundSeconds,
        List<AssignmentView> assignments,
        List<String> idleDevices,
        String bottleneckDevice,
        SolverView solver,
        Instant createdAt) {

    /**
     * What one involved device does in a round: its blocks, its bandwidth and its times. {@code layers} names its
     * blocks by layer, 1..L, and L+1 for the task head's block; {@code head} says whether it trains the head (false in
     * plans stored before the head was a block of its own, which left it with the top layer's block).
     */
    public record AssignmentView(
            String device,

            @Schema(description = "The device's blocks by layer, ascending: 1..L, and L+1 for the task head's block")
            List<Integer> layers,

            @Schema(description = "Whether the device trains the task head (its layers hold L+1)")
            Boolean head,

            double bandwidthHz,
            double computeSeconds,
            double uploadSeconds,
            double latencySeconds,
            double memoryBytes,

            @Schema(
                    description = "Objective quantile: the gain (dB) this device's upload is priced at, the level it"
                            + " must reach to finish by the plan's round latency; absent for objective mean (the"
                            + " device's gain as given)")
            Double plannedGainDb) {

        public AssignmentView {
            // Boxed so that a plan stored before the field existed reads back (as false) instead of failing.
            head = Boolean.TRUE.equals(head);
        }

        /** The view of one assignment of a core plan priced at the device's gain as given. */
        static AssignmentView of(Assignment a) {
            return of(a, null);
        }

        /** The view of one assignment of a core plan, its upload priced at {@code plannedGainDb} (null: as given). */
        static AssignmentView of(Assignment a, Double plannedGainDb) {
            return new AssignmentView(
                    a.device(),
                    a.layers(),
                    a.head(),
                    a.bandwidthHz(),
                    a.computeSeconds(),
                    a.uploadSeconds(),
                    a.latencySeconds(),
                    a.memoryBytes(),
                    plannedGainDb);
        }
    }

    /** How the solver got there: iterations, wall time and the relative gap to its lower bound. */
    public record SolverView(int iterations, double solveMillis, double gap) {}
}
