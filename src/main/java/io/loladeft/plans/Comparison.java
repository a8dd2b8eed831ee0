package io.loladeft.plans;

import java.util.List;

/**
 * Every algorithm on one input. {@code relativeToBest} is a row's round latency over the best
 * row's (1.0 for the best); a row that could not plan has only {@code error}.
 */
public record Comparison(double bestRoundLatencySeconds, List<Row> rows) {

    public record Row(String algorithm, Double roundLatencySeconds, Double totalLatencySeconds,
            Double lowerBoundSeconds, Double relativeToBest, Double solveMillis, Double gap, String error) {}
}
