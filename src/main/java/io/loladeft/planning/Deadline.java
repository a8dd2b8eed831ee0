package io.loladeft.planning;

/**
 * A plan's wall-clock budget, checked inside the solvers' loops (every Hungarian row, every block a packing places,
 * every cost-matrix row, every alternation round), so that no check is more than a few milliseconds of work apart
 * at the largest sizes the service accepts. {@link #check()} throws {@link Expired}; each algorithm catches it
 * where it holds a plan and returns that plan with the bound proven so far, or turns it into
 * {@link SolverTimeoutException} when it holds none.
 */
final class Deadline {

    /** Thrown by {@link #check()} once the budget is spent; no stack trace (it is control flow). */
    static final class Expired extends RuntimeException {
        Expired() {
            super("time budget spent", null, false, false);
        }
    }

    private final long atNanos;

    Deadline(long atNanos) {
        this.atNanos = atNanos;
    }

    /** No deadline (tests of the internals). */
    static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    boolean passed() {
        return atNanos != Long.MAX_VALUE && System.nanoTime() - atNanos > 0;
    }

    void check() {
        if (passed()) {
            throw new Expired();
        }
    }
}
