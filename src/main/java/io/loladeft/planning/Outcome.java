package io.loladeft.planning;

/**
 * What an algorithm hands to plan assembly: its assignment, the bandwidth of every device, the lower bound it
 * proved and its iteration count ({@link SolverStats#iterations()}).
 */
record Outcome(int[] blockToDevice, double[] hz, double lowerBound, int iterations) {

    static Outcome of(ExactSolver.Result r) {
        return new Outcome(r.best().blockToDevice(), r.best().hz(), r.lowerBound(), r.iterations());
    }
}
