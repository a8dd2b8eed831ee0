package io.loladeft.planning;

import java.util.List;

/**
 * A round plan.
 *
 * @param algorithm           what produced it
 * @param roundLatencySeconds {@code T = max_k T_k}
 * @param totalLatencySeconds {@code R * T}
 * @param lowerBoundSeconds   a proven lower bound on the optimal round latency of the algorithm's problem
 * @param assignments         one per involved device, in fleet order
 * @param idleDevices         devices that train nothing (and get no bandwidth), in fleet order
 * @param bottleneckDevice    the involved device whose latency is {@code T}
 * @param solver              iterations, time, gap
 */
public record Plan(
        Algorithm algorithm,
        double roundLatencySeconds,
        double totalLatencySeconds,
        double lowerBoundSeconds,
        List<Assignment> assignments,
        List<String> idleDevices,
        String bottleneckDevice,
        SolverStats solver) {

    public Plan {
        assignments = assignments == null ? null : List.copyOf(assignments);
        idleDevices = idleDevices == null ? null : List.copyOf(idleDevices);
    }
}
