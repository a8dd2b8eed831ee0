package io.loladeft.planning;

/**
 * Limits of the planner.
 *
 * @param exactMaxWork     the most work the exact solver accepts, in its own unit (see {@link Planner}); beyond it,
 *                         {@link ProblemTooLargeException} before any search
 * @param timeBudgetMillis wall-clock budget of one plan; JBBA's dual ascent stops at it and returns its best plan,
 *                         the exact solver throws {@link SolverTimeoutException}
 * @param maxIterations    the most dual-ascent iterations
 * @param gapTolerance     dual ascent stops once {@code (best - bound) / best} is at most this
 */
public record PlanningLimits(double exactMaxWork, long timeBudgetMillis, int maxIterations, double gapTolerance) {

    public PlanningLimits {
        if (!(exactMaxWork > 0) || timeBudgetMillis <= 0 || maxIterations <= 0 || !(gapTolerance >= 0)) {
            throw new IllegalArgumentException("limits must be positive: " + exactMaxWork + ", " + timeBudgetMillis
                    + ", " + maxIterations + ", " + gapTolerance);
        }
    }

    /** 2e7 units of exact work, 5 s, 200 iterations, 1e-4 gap. */
    public static PlanningLimits defaults() {
        return new PlanningLimits(2e7, 5_000, 200, 1e-4);
    }
}
