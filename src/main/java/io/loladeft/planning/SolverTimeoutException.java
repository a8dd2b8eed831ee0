package io.loladeft.planning;

/**
 * A solver that must prove optimality ({@link Algorithm#EXACT}) ran past {@link PlanningLimits#timeBudgetMillis()}.
 * Heuristic solvers never throw it: past the budget they return their best plan so far and say so in
 * {@link SolverStats} (the gap stays above zero).
 */
public class SolverTimeoutException extends RuntimeException {

    public SolverTimeoutException(String message) {
        super(message);
    }
}
