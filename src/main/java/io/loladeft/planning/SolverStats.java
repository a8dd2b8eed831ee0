package io.loladeft.planning;

/**
 * How the solver got there.
 *
 * @param iterations  iterations of the algorithm's main loop (see docs/planning.md per algorithm)
 * @param solveMillis wall-clock milliseconds spent planning
 * @param gap         {@code (roundLatency - lowerBound) / roundLatency}, 0 when proven optimal
 */
public record SolverStats(int iterations, double solveMillis, double gap) {}
