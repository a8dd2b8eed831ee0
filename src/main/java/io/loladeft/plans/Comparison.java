package io.loladeft.plans;

import java.util.List;

/**
 * Every algorithm on one input. {@code relativeToBest} is a row's round latency over the best row's among those
 * that keep the request's constraints (1.0 for the best); a row that could not plan has only {@code error}; a row
 * whose plan breaks a constraint of the request (e.g. {@code offload} ignoring {@code maxBlocksPerDevice}) says
 * which in {@code breaks}.
 */
public record Comparison(double bestRoundLatencySeconds, List<Row> rows) {

    public record Row(
            String algorithm,
            Double roundLatencySeconds,
            Double totalLatencySeconds,
            Double lowerBoundSeconds,
            Double relativeToBest,
            Double solveMillis,
            Double gap,
            String error,
            String breaks) {}
}
