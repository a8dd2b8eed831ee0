package io.loladeft.planning;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The algorithms that choose blocks and bandwidths together: {@code joint} (the default: optimal with one block per
 * device, the exact run search or the packing heuristic with several), {@code exact} and the paper's
 * {@code dual-ascent}.
 */
final class JointSolvers {

    /** Alternation rounds after the start split (the start of joint and exact). */
    static final int START_ALTERNATION_ROUNDS = 20;

    /** Alternation rounds after each restricted packing of the several-blocks heuristic. */
    static final int PACKING_ALTERNATION_ROUNDS = 5;

    private static final Joint.Solution NO_PLAN = new Joint.Solution(null, null, Double.POSITIVE_INFINITY);

    private final PlanningLimits limits;

    JointSolvers(PlanningLimits limits) {
        this.limits = limits;
    }

    /**
     * The default joint algorithm. One block per device: the start plan (equal-bandwidth CRUNCH, exact split,
     * alternation), then the exact parametric search from it ({@link ExactSolver#parametric}), which past the deadline
     * keeps its best plan and last infeasible target; beyond {@link Planner#MAX_DENSE_PAIRS} the start plan with the
     * whole-band bound. Several blocks per device: the run search within {@link PlanningLimits#gapTolerance()} where
     * the contiguity theorem covers the problem, else the packing heuristic ({@link #multiBlockHeuristic}).
     */
    Outcome joint(CostModel cm, Deadline deadline) {
        if (cm.maxBlocksPerDevice > 1) {
            RunSearch.Structure st = runStructure(cm);
            if (st != null) {
                return Outcome.of(
                        multiBlockExact(cm, st, Math.max(ExactSolver.TOLERANCE, limits.gapTolerance()), deadline));
            }
            Joint.Solution s = multiBlockHeuristic(cm, deadline);
            return new Outcome(s.blockToDevice(), s.hz(), LowerBounds.p2(cm, deadline), 1);
        }
        Joint.Solution start = startPlan(cm, deadline);
        if ((long) cm.n * cm.k > Planner.MAX_DENSE_PAIRS || deadline.passed()) {
            return new Outcome(start.blockToDevice(), start.hz(), LowerBounds.p2(cm, deadline), 0);
        }
        return Outcome.of(ExactSolver.parametric(cm, start, deadline));
    }

    /** The paper's dual ascent as published ({@link DualAscent}): one block per device, within the dense cap. */
    Outcome dualAscent(CostModel cm, Deadline deadline) {
        if (cm.maxBlocksPerDevice > 1) {
            throw new AlgorithmNotApplicableException("'dual-ascent' is the paper's method for one block per device;"
                    + " with maxBlocksPerDevice " + cm.maxBlocksPerDevice + " use 'joint'");
        }
        double pairs = (double) cm.n * cm.k;
        if (pairs > Planner.MAX_DENSE_PAIRS) {
            throw new ProblemTooLargeException(
                    String.format(
                            Locale.ROOT,
                            "'dual-ascent' keeps an N x K"
                                    + " cost matrix and accepts up to %d block-device pairs; this problem (%d devices, %d blocks)"
                                    + " has %.0f; use 'joint' instead",
                            Planner.MAX_DENSE_PAIRS,
                            cm.k,
                            cm.n,
                            pairs),
                    pairs,
                    Planner.MAX_DENSE_PAIRS);
        }
        DualAscent.Result r = DualAscent.solve(cm, limits, deadline);
        return new Outcome(r.best().blockToDevice(), r.best().hz(), r.lowerBound(), r.iterations());
    }

    /**
     * The exact optimum: the run search where the contiguity theorem covers the problem, else the parametric search
     * (one block per device) or branch and bound (several) within {@link PlanningLimits#exactMaxWork()}.
     */
    Outcome exact(CostModel cm, Deadline deadline) {
        RunSearch.Structure st = runStructure(cm);
        if (st != null) {
            ExactSolver.Result r = multiBlockExact(cm, st, ExactSolver.TOLERANCE, deadline);
            if (r.timedOut()) {
                throw new SolverTimeoutException(String.format(
                        Locale.ROOT,
                        "the exact solver ran past its"
                                + " time budget after %d feasibility tests (gap %.3g); use 'joint', which returns its best"
                                + " plan with its gap",
                        r.iterations(),
                        1 - r.lowerBound() / r.best().latency()));
            }
            return Outcome.of(r);
        }
        double work = ExactSolver.work(cm);
        if (work > limits.exactMaxWork()) {
            throw new ProblemTooLargeException(
                    String.format(
                            Locale.ROOT,
                            "'exact' accepts problems up to %.3g units of %s; this one (%d devices, %d blocks, "
                                    + "maxBlocksPerDevice %d) needs %.3g; use 'joint' instead",
                            limits.exactMaxWork(),
                            ExactSolver.workUnit(cm),
                            cm.k,
                            cm.n,
                            cm.maxBlocksPerDevice,
                            work),
                    work,
                    limits.exactMaxWork());
        }
        Joint.Solution incumbent = cm.maxBlocksPerDevice == 1 ? startPlan(cm, deadline) : heuristicOrNone(cm, deadline);
        ExactSolver.Result r = ExactSolver.solve(cm, incumbent, deadline);
        if (r.best().blockToDevice() == null) {
            throw noAssignment(cm);
        }
        return Outcome.of(r);
    }

    /** Equal-bandwidth CRUNCH with the exact split, then alternation: never worse than equal-bandwidth. */
    private static Joint.Solution startPlan(CostModel cm, Deadline deadline) {
        int[] start = Crunch.solve(cm, Joint.equalShares(cm), deadline).blockToDevice();
        return Joint.alternate(cm, Joint.split(cm, start), START_ALTERNATION_ROUNDS, deadline);
    }

    private static Joint.Solution heuristicOrNone(CostModel cm, Deadline deadline) {
        try {
            return multiBlockHeuristic(cm, deadline);
        } catch (InfeasibleProblemException e) {
            return NO_PLAN; // the heuristic missed; the exact search settles feasibility
        }
    }

    /**
     * Several blocks per device: the packing at {@code B/K}, the exact split, then alternation (never worse than
     * equal-bandwidth); then the same from packings restricted to the {@code j} strongest devices (ranked by their
     * latency for the heaviest block with the whole band) with {@code B/j} each, for every {@code j} from the
     * fewest devices that can hold all blocks up to {@code min(K, N)}; the best plan wins.
     */
    static Joint.Solution multiBlockHeuristic(CostModel cm, Deadline deadline) {
        int[] start = Packing.solve(cm, Joint.equalShares(cm), deadline).blockToDevice();
        Joint.Solution best = Joint.alternate(cm, Joint.split(cm, start), START_ALTERNATION_ROUNDS, deadline);
        best = better(best, oneBlockPerDevice(cm, deadline));
        int heaviest = Packing.heaviestFirst(cm)[0];
        Integer[] rank = new Integer[cm.k];
        double[] key = new double[cm.k];
        for (int d = 0; d < cm.k; d++) {
            rank[d] = d;
            key[d] = cm.fits1(d, heaviest) ? cm.latency1(d, heaviest, cm.totalBandwidth) : Double.POSITIVE_INFINITY;
        }
        Arrays.sort(rank, (x, y) -> Double.compare(key[x], key[y]));
        int from = (cm.n + cm.maxBlocksPerDevice - 1) / cm.maxBlocksPerDevice;
        for (int j = from; j <= Math.min(cm.k, cm.n) && !deadline.passed(); j++) {
            double[] hz = new double[cm.k];
            for (int i = 0; i < j; i++) {
                hz[rank[i]] = cm.totalBandwidth / j;
            }
            Packing.Result r;
            try {
                r = Packing.solve(cm, hz, deadline);
            } catch (InfeasibleProblemException e) {
                continue;
            } catch (Deadline.Expired e) {
                break;
            }
            if (r.latency() == Double.POSITIVE_INFINITY) {
                continue;
            }
            best = better(
                    best,
                    Joint.alternate(cm, Joint.split(cm, r.blockToDevice()), PACKING_ALTERNATION_ROUNDS, deadline));
        }
        return best;
    }

    /** The run structure when the contiguity theorem covers the problem and its tables fit the cap, else null. */
    private static RunSearch.Structure runStructure(CostModel cm) {
        RunSearch.Structure st = RunSearch.structure(cm);
        return st != null && RunSearch.tableSize(cm, st) <= RunSearch.MAX_TABLE ? st : null;
    }

    /**
     * Several blocks per device, exact ({@link RunSearch}) from the best of two plans: the equal-bandwidth packing
     * with the exact split (so never worse than equal-bandwidth) and, when every block can have a device of its own,
     * the one-block-per-device optimum (so never worse than {@code maxBlocksPerDevice = 1}). Throws
     * {@link InfeasibleProblemException} when the search proves no assignment fits.
     */
    private static ExactSolver.Result multiBlockExact(
            CostModel cm, RunSearch.Structure st, double tolerance, Deadline deadline) {
        Joint.Solution seed = NO_PLAN;
        try {
            seed = Joint.split(
                    cm, Packing.solve(cm, Joint.equalShares(cm), deadline).blockToDevice());
        } catch (InfeasibleProblemException e) {
            // The greedy packing missed; the search itself settles feasibility.
        }
        seed = better(seed, oneBlockPerDevice(cm, deadline));
        ExactSolver.Result r = RunSearch.solve(cm, st, seed, LowerBounds.p2(cm, deadline), tolerance, deadline);
        if (r.best().blockToDevice() == null) {
            if (r.timedOut()) {
                throw new Deadline.Expired();
            }
            throw noAssignment(cm);
        }
        return r;
    }

    /**
     * The one-block-per-device optimum when every block can have a device of its own and the dense cap allows it
     * (so that plans with several blocks per device start from it and are never worse), else {@code null}.
     */
    static Joint.Solution oneBlockPerDevice(CostModel cm, Deadline deadline) {
        if (cm.k < cm.n || (long) cm.n * cm.k > Planner.MAX_DENSE_PAIRS) {
            return null;
        }
        CostModel one = cm.withMaxBlocksPerDevice(1);
        try {
            return ExactSolver.parametric(one, startPlan(one, deadline), deadline)
                    .best();
        } catch (InfeasibleProblemException e) {
            return null; // no block-per-device plan fits memory; several per device may
        }
    }

    private static Joint.Solution better(Joint.Solution a, Joint.Solution b) {
        return b != null && b.latency() < a.latency() ? b : a;
    }

    private static InfeasibleProblemException noAssignment(CostModel cm) {
        return new InfeasibleProblemException(List.of(new Violation(
                "devices",
                "no assignment of the " + cm.n + " blocks fits the devices' memory with at most "
                        + cm.maxBlocksPerDevice + " per device")));
    }
}
