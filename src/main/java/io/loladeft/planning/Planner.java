package io.loladeft.planning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The planning core's one entry point: stateless and thread-safe (every call builds its own working state).
 *
 * <p>Per algorithm, what {@link Plan#lowerBoundSeconds()} bounds and what {@link SolverStats#iterations()} counts:
 * <table>
 *   <caption>lower bounds</caption>
 *   <tr><th>algorithm</th><th>lower bound of</th><th>iterations</th></tr>
 *   <tr><td>crunch, equal-bandwidth, random</td><td>P1 at the plan's bandwidth rule (fixed or {@code B/K}): the
 *       exact optimum with one block per device, the best single-block latency bound with several</td>
 *       <td>threshold checks (random: attempts)</td></tr>
 *   <tr><td>joint (alias jbba)</td><td>P2: the last infeasible target of the parametric search (one block per
 *       device; the whole-band CRUNCH bound if the search did not run); several: the last target the run search
 *       proved infeasible (the whole-band single-block bound outside its structure)</td><td>parametric steps /
 *       feasibility tests (heuristic: 1)</td></tr>
 *   <tr><td>dual-ascent</td><td>P2: its best dual value</td><td>dual-ascent iterations</td></tr>
 *   <tr><td>exact</td><td>P2: the last infeasible target (one block per device) or the optimum
 *       (branch and bound)</td><td>search steps / nodes</td></tr>
 *   <tr><td>depth-unaware</td><td>P2, as joint's whole-band bound</td><td>1</td></tr>
 *   <tr><td>offload</td><td>the single-device problem (its plan is exact: gap 0)</td><td>1</td></tr>
 * </table>
 * Every bound is lowered by a relative 1e-9 so floating-point rounding can never lift it above the optimum.
 *
 * <p><b>Time budget.</b> Every algorithm watches one deadline inside its loops ({@link Deadline}): {@code joint},
 * {@code dual-ascent} and the heuristics return their best plan so far with the bound proven so far (an honest
 * gap); {@code exact}, or any algorithm that has no plan yet, throws {@link SolverTimeoutException}.
 * <b>Memory.</b> Working state is {@code O(K + N)} except the Hungarian cost matrices of {@code joint}, {@code exact}
 * (one {@code N x K} matrix of doubles) and {@code dual-ascent} (one): at most {@link #MAX_DENSE_PAIRS} pairs, i.e.
 * 16 MiB. Beyond it {@code joint} returns its start plan (equal-bandwidth CRUNCH, exact split, alternation) with the
 * whole-band bound, and {@code dual-ascent} refuses with {@link ProblemTooLargeException}.
 */
public final class Planner {

    private static final double BOUND_SAFETY = 1 - 1e-9;

    /** The most block-device pairs for which an algorithm keeps an {@code N x K} matrix (16 MiB of doubles). */
    public static final long MAX_DENSE_PAIRS = 1L << 21;

    /** Alternation rounds after the start split (the start of joint and exact). */
    private static final int START_ALTERNATION_ROUNDS = 20;

    /** Alternation rounds after each restricted packing of the several-blocks heuristic. */
    private static final int PACKING_ALTERNATION_ROUNDS = 5;

    private final PlanningLimits limits;

    public Planner() {
        this(PlanningLimits.defaults());
    }

    public Planner(PlanningLimits limits) {
        this.limits = limits;
    }

    public PlanningLimits limits() {
        return limits;
    }

    /**
     * Plans one round within {@link PlanningLimits#timeBudgetMillis()}.
     *
     * @throws InvalidProblemException    malformed input, every fault named
     * @throws InfeasibleProblemException no plan fits (a block no device can hold, too few devices, ...)
     * @throws ProblemTooLargeException   {@code exact} beyond {@link PlanningLimits#exactMaxWork()};
     *                                    {@code dual-ascent} beyond {@link #MAX_DENSE_PAIRS}
     * @throws SolverTimeoutException     {@code exact} past the budget, or any algorithm with no plan by then
     * @throws AlgorithmNotApplicableException {@code dual-ascent} with several blocks per device
     */
    public Plan plan(PlanningProblem problem, Algorithm algorithm) {
        return plan(problem, algorithm, limits.timeBudgetMillis());
    }

    /** As {@link #plan(PlanningProblem, Algorithm)} with a budget of its own (e.g. a share of a comparison's). */
    public Plan plan(PlanningProblem problem, Algorithm algorithm, long budgetMillis) {
        if (algorithm == null) {
            throw new IllegalArgumentException("algorithm is required");
        }
        long t0 = System.nanoTime();
        Deadline deadline = new Deadline(t0 + Math.max(0, budgetMillis) * 1_000_000L);
        ProblemChecks.validate(problem, algorithm);
        CostModel cm = new CostModel(problem);
        Outcome o;
        try {
            o = switch (algorithm) {
                case CRUNCH -> blockAllocation(cm, crunchShares(cm), deadline);
                case EQUAL_BANDWIDTH -> blockAllocation(cm, Joint.equalShares(cm), deadline);
                case JOINT -> joint(cm, deadline);
                case DUAL_ASCENT -> dualAscent(cm, deadline);
                case EXACT -> exact(cm, deadline);
                case DEPTH_UNAWARE -> depthUnaware(cm, deadline);
                case OFFLOAD -> offload(cm);
                case RANDOM -> random(cm, deadline);
            };
        } catch (Deadline.Expired e) {
            throw new SolverTimeoutException(String.format(java.util.Locale.ROOT,
                    "'%s' found no plan within its time budget of %d ms (%d devices, %d blocks, maxBlocksPerDevice"
                            + " %d); raise the budget or plan a smaller fleet", algorithm.wireName(), budgetMillis,
                    cm.k, cm.n, cm.maxBlocksPerDevice));
        }
        double millis = (System.nanoTime() - t0) / 1e6;
        return build(cm, algorithm, o, millis);
    }

    /**
     * The round a fixed assignment reaches: each device named in {@code layersByDevice} trains the blocks at those
     * layers, and the band is split exactly min-max among them ({@link BandwidthSplit#minMax}), each also sending
     * {@code extraBits} of its own over its link within the round (a migrated block's state; 0 where absent). The
     * assignment's {@code uploadSeconds} include that transfer. No search: this is how a re-plan prices keeping
     * the current blocks where they are, or moving them.
     *
     * @param label what the plan says produced it
     * @throws InvalidProblemException the problem is malformed, or the assignment names an unknown device, leaves a
     *                                 block out or gives one twice
     * @throws InfeasibleProblemException a device of the assignment cannot finish (no bandwidth left for it)
     */
    public Plan forAssignment(PlanningProblem problem, Map<String, List<Integer>> layersByDevice,
            Map<String, Double> extraBits, Algorithm label) {
        long t0 = System.nanoTime();
        ProblemChecks.validate(problem, label);
        CostModel cm = new CostModel(problem);
        Map<String, Integer> index = new HashMap<>();
        for (int d = 0; d < cm.k; d++) {
            index.put(cm.devices[d].name(), d);
        }
        int[] assign = new int[cm.n];
        Arrays.fill(assign, -1);
        List<Violation> bad = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : layersByDevice.entrySet()) {
            Integer d = index.get(e.getKey());
            if (d == null) {
                bad.add(new Violation("assignment." + e.getKey(), "is not a device of the problem"));
                continue;
            }
            for (int layer : e.getValue()) {
                boolean found = false;
                for (int b = 0; b < cm.n; b++) {
                    if (cm.layers - cm.depth[b] + 1 == layer) {
                        found = true;
                        if (assign[b] >= 0) {
                            bad.add(new Violation("assignment." + e.getKey(), "layer " + layer + " is assigned twice"));
                        }
                        assign[b] = d;
                    }
                }
                if (!found) {
                    bad.add(new Violation("assignment." + e.getKey(), "no block at layer " + layer));
                }
            }
        }
        for (int b = 0; b < cm.n; b++) {
            if (assign[b] < 0) {
                bad.add(new Violation("assignment", "the block at layer " + (cm.layers - cm.depth[b] + 1)
                        + " is not assigned"));
            }
        }
        if (!bad.isEmpty()) {
            throw new InvalidProblemException(bad);
        }
        CostModel.SetCost[] sets = Packing.sets(cm, assign);
        int involved = 0;
        for (CostModel.SetCost set : sets) {
            involved += set.dmax() > 0 ? 1 : 0;
        }
        double[] c = new double[involved];
        double[] bits = new double[involved];
        double[] g = new double[involved];
        int[] dev = new int[involved];
        int i = 0;
        for (int d = 0; d < cm.k; d++) {
            if (sets[d].dmax() > 0) {
                c[i] = cm.compute(d, sets[d]);
                bits[i] = sets[d].bits() + extraBits.getOrDefault(cm.devices[d].name(), 0.0);
                g[i] = cm.gamma[d];
                dev[i++] = d;
            }
        }
        BandwidthSplit.Split split = BandwidthSplit.minMax(c, bits, g, cm.totalBandwidth);
        List<Assignment> assignments = new ArrayList<>();
        List<String> idle = new ArrayList<>();
        double round = 0;
        String bottleneck = null;
        int j = 0;
        for (int d = 0; d < cm.k; d++) {
            if (sets[d].dmax() == 0) {
                idle.add(cm.devices[d].name());
                continue;
            }
            double hz = split.hz()[j];
            double up = Uplink.uploadSeconds(bits[j], hz, g[j]);
            double lat = c[j] + up;
            if (!(lat < Double.POSITIVE_INFINITY)) {
                throw new InfeasibleProblemException(List.of(new Violation("assignment." + cm.devices[d].name(),
                        "cannot finish a round: no bandwidth is left for it")));
            }
            List<Integer> ls = new ArrayList<>();
            for (int b = 0; b < cm.n; b++) {
                if (assign[b] == d) {
                    ls.add(cm.layers - cm.depth[b] + 1);
                }
            }
            ls.sort(null);
            assignments.add(new Assignment(cm.devices[d].name(), ls, hz, c[j], up, lat, cm.memory(d, sets[d])));
            if (bottleneck == null || lat > round) {
                round = lat;
                bottleneck = cm.devices[d].name();
            }
            j++;
        }
        return new Plan(label, round, round * cm.rounds, round, assignments, idle, bottleneck,
                new SolverStats(0, (System.nanoTime() - t0) / 1e6, 0));
    }

    /**
     * Seconds to send {@code bits} at {@code bandwidthHz} over a device's uplink,
     * {@code R = B log2(1 + p g / (N0 B))}: the one rate the planner, the simulator and the job emulation use.
     */
    public static double uploadSeconds(double bits, double bandwidthHz, double txPowerDbm, double channelGainDb,
            double noisePsdDbmPerHz) {
        return Uplink.uploadSeconds(bits, bandwidthHz, Uplink.gamma(txPowerDbm, channelGainDb, noisePsdDbmPerHz));
    }

    /** What a solver hands to plan assembly. */
    private record Outcome(int[] blockToDevice, double[] hz, double lowerBound, int iterations) {
    }

    // ---- bandwidth rules ----

    /** Each device's fixed bandwidth, the rest shared equally by the devices without one. */
    static double[] crunchShares(CostModel cm) {
        double fixed = 0;
        int unfixed = 0;
        for (Device d : cm.devices) {
            if (d.bandwidthHz() != null) {
                fixed += d.bandwidthHz();
            } else {
                unfixed++;
            }
        }
        double share = unfixed == 0 ? 0 : (cm.totalBandwidth - fixed) / unfixed;
        double[] hz = new double[cm.k];
        for (int i = 0; i < cm.k; i++) {
            Double f = cm.devices[i].bandwidthHz();
            hz[i] = f != null ? f : share;
        }
        return hz;
    }

    // ---- algorithms ----

    private static Outcome blockAllocation(CostModel cm, double[] hz, Deadline deadline) {
        if (cm.maxBlocksPerDevice == 1) {
            Crunch.Result r = Crunch.solve(cm, hz, deadline);
            return new Outcome(r.blockToDevice(), hz, r.latency(), r.checks());
        }
        Packing.Result r = Packing.solve(cm, hz, deadline);
        return new Outcome(r.blockToDevice(), hz, singleBlockBound(cm, hz, deadline), r.checks());
    }

    /**
     * The default joint algorithm. One block per device: the start plan (equal-bandwidth CRUNCH, exact split,
     * alternation), then the exact parametric search from it ({@link ExactSolver#parametric}), which past the deadline
     * keeps its best plan and last infeasible target; beyond {@link #MAX_DENSE_PAIRS} the start plan with the
     * whole-band bound. Several blocks per device: the packing heuristic ({@link #multiBlockJoint}).
     */
    private Outcome joint(CostModel cm, Deadline deadline) {
        if (cm.maxBlocksPerDevice > 1) {
            RunSearch.Structure st = runStructure(cm);
            if (st != null) {
                ExactSolver.Result r = multiBlockExact(cm, st, Math.max(ExactSolver.TOLERANCE, limits.gapTolerance()),
                        deadline);
                return new Outcome(r.best().blockToDevice(), r.best().hz(), r.lowerBound(), r.iterations());
            }
            Joint.Solution s = multiBlockJoint(cm, deadline);
            return new Outcome(s.blockToDevice(), s.hz(), p2Bound(cm, deadline), 1);
        }
        Joint.Solution start = startPlan(cm, deadline);
        if ((long) cm.n * cm.k > MAX_DENSE_PAIRS || deadline.passed()) {
            return new Outcome(start.blockToDevice(), start.hz(), p2Bound(cm, deadline), 0);
        }
        ExactSolver.Result r = ExactSolver.parametric(cm, start, deadline);
        return new Outcome(r.best().blockToDevice(), r.best().hz(), r.lowerBound(), r.iterations());
    }

    /** Equal-bandwidth CRUNCH with the exact split, then alternation: never worse than equal-bandwidth. */
    private static Joint.Solution startPlan(CostModel cm, Deadline deadline) {
        int[] start = Crunch.solve(cm, Joint.equalShares(cm), deadline).blockToDevice();
        return Joint.alternate(cm, Joint.split(cm, start), START_ALTERNATION_ROUNDS, deadline);
    }

    /** The paper's dual ascent as published ({@link DualAscent}): one block per device, within the dense cap. */
    private Outcome dualAscent(CostModel cm, Deadline deadline) {
        if (cm.maxBlocksPerDevice > 1) {
            throw new AlgorithmNotApplicableException("'dual-ascent' is the paper's method for one block per device;"
                    + " with maxBlocksPerDevice " + cm.maxBlocksPerDevice + " use 'joint'");
        }
        double pairs = (double) cm.n * cm.k;
        if (pairs > MAX_DENSE_PAIRS) {
            throw new ProblemTooLargeException(String.format(java.util.Locale.ROOT, "'dual-ascent' keeps an N x K"
                    + " cost matrix and accepts up to %d block-device pairs; this problem (%d devices, %d blocks)"
                    + " has %.0f; use 'joint' instead", MAX_DENSE_PAIRS, cm.k, cm.n, pairs), pairs, MAX_DENSE_PAIRS);
        }
        DualAscent.Result r = DualAscent.solve(cm, limits, deadline);
        return new Outcome(r.best().blockToDevice(), r.best().hz(), r.lowerBound(), r.iterations());
    }

    /**
     * Several blocks per device: the packing at {@code B/K}, the exact split, then alternation (never worse than
     * equal-bandwidth); then the same from packings restricted to the {@code j} strongest devices (ranked by their
     * latency for the heaviest block with the whole band) with {@code B/j} each, for every {@code j} from the
     * fewest devices that can hold all blocks up to {@code min(K, N)}; the best plan wins.
     */
    private static Joint.Solution multiBlockJoint(CostModel cm, Deadline deadline) {
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
            Joint.Solution s = Joint.alternate(cm, Joint.split(cm, r.blockToDevice()), PACKING_ALTERNATION_ROUNDS,
                    deadline);
            if (s.latency() < best.latency()) {
                best = s;
            }
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
    private static ExactSolver.Result multiBlockExact(CostModel cm, RunSearch.Structure st, double tolerance,
            Deadline deadline) {
        Joint.Solution seed = new Joint.Solution(null, null, Double.POSITIVE_INFINITY);
        try {
            seed = Joint.split(cm, Packing.solve(cm, Joint.equalShares(cm), deadline).blockToDevice());
        } catch (InfeasibleProblemException e) {
            // The greedy packing missed; the search itself settles feasibility.
        }
        seed = better(seed, oneBlockPerDevice(cm, deadline));
        ExactSolver.Result r = RunSearch.solve(cm, st, seed, p2Bound(cm, deadline), tolerance, deadline);
        if (r.best().blockToDevice() == null) {
            if (r.timedOut()) {
                throw new Deadline.Expired();
            }
            throw new InfeasibleProblemException(List.of(new Violation("devices", "no assignment of the " + cm.n
                    + " blocks fits the devices' memory with at most " + cm.maxBlocksPerDevice + " per device")));
        }
        return r;
    }

    /**
     * The one-block-per-device optimum when every block can have a device of its own and the dense cap allows it
     * (so that plans with several blocks per device start from it and are never worse), else {@code null}.
     */
    private static Joint.Solution oneBlockPerDevice(CostModel cm, Deadline deadline) {
        if (cm.k < cm.n || (long) cm.n * cm.k > MAX_DENSE_PAIRS) {
            return null;
        }
        CostModel one = cm.withMaxBlocksPerDevice(1);
        try {
            return ExactSolver.parametric(one, startPlan(one, deadline), deadline).best();
        } catch (InfeasibleProblemException e) {
            return null; // no block-per-device plan fits memory; several per device may
        }
    }

    private static Joint.Solution better(Joint.Solution a, Joint.Solution b) {
        return b != null && b.latency() < a.latency() ? b : a;
    }

    private Outcome exact(CostModel cm, Deadline deadline) {
        RunSearch.Structure st = runStructure(cm);
        if (st != null) {
            ExactSolver.Result r = multiBlockExact(cm, st, ExactSolver.TOLERANCE, deadline);
            if (r.timedOut()) {
                throw new SolverTimeoutException(String.format(java.util.Locale.ROOT, "the exact solver ran past its"
                        + " time budget after %d feasibility tests (gap %.3g); use 'joint', which returns its best"
                        + " plan with its gap", r.iterations(), 1 - r.lowerBound() / r.best().latency()));
            }
            return new Outcome(r.best().blockToDevice(), r.best().hz(), r.lowerBound(), r.iterations());
        }
        double work = ExactSolver.work(cm);
        if (work > limits.exactMaxWork()) {
            throw new ProblemTooLargeException(String.format(java.util.Locale.ROOT,
                    "'exact' accepts problems up to %.3g units of %s; this one (%d devices, %d blocks, "
                            + "maxBlocksPerDevice %d) needs %.3g; use 'joint' instead",
                    limits.exactMaxWork(), ExactSolver.workUnit(cm), cm.k, cm.n, cm.maxBlocksPerDevice, work),
                    work, limits.exactMaxWork());
        }
        Joint.Solution incumbent;
        if (cm.maxBlocksPerDevice == 1) {
            incumbent = startPlan(cm, deadline);
        } else {
            Joint.Solution h;
            try {
                h = multiBlockJoint(cm, deadline);
            } catch (InfeasibleProblemException e) {
                h = new Joint.Solution(null, null, Double.POSITIVE_INFINITY);
            }
            incumbent = h;
        }
        ExactSolver.Result r = ExactSolver.solve(cm, incumbent, deadline);
        if (r.best().blockToDevice() == null) {
            throw new InfeasibleProblemException(List.of(new Violation("devices", "no assignment of the " + cm.n
                    + " blocks fits the devices' memory with at most " + cm.maxBlocksPerDevice + " per device")));
        }
        return new Outcome(r.best().blockToDevice(), r.best().hz(), r.lowerBound(), r.iterations());
    }

    /**
     * Depth-unaware: blocks in layer order, devices fastest first (compute only); the first block goes to the
     * fastest device and so on, skipping devices without the memory (a matching repairs the rare dead end); with
     * several blocks per device the blocks are dealt round-robin. Then the exact bandwidth split.
     */
    private static Outcome depthUnaware(CostModel cm, Deadline deadline) {
        Integer[] devs = new Integer[cm.k];
        for (int i = 0; i < cm.k; i++) {
            devs[i] = i;
        }
        Arrays.sort(devs, (x, y) -> Double.compare(cm.flops[y], cm.flops[x]));
        Integer[] blocks = new Integer[cm.n];
        for (int i = 0; i < cm.n; i++) {
            blocks[i] = i;
        }
        Arrays.sort(blocks, (x, y) -> Integer.compare(cm.depth[y], cm.depth[x]));
        int[] assign = null;
        if (cm.maxBlocksPerDevice == 1) {
            if (cm.k < cm.n) {
                Crunch.solve(cm, Joint.equalShares(cm), deadline);
            }
            // The rule itself: each block in layer order to the fastest free device with the memory.
            assign = new int[cm.n];
            boolean[] used = new boolean[cm.k];
            boolean stuck = false;
            for (int r = 0; r < cm.n && !stuck; r++) {
                deadline.check();
                stuck = true;
                for (int c = 0; c < cm.k; c++) {
                    if (!used[devs[c]] && cm.fits1(devs[c], blocks[r])) {
                        used[devs[c]] = true;
                        assign[blocks[r]] = devs[c];
                        stuck = false;
                        break;
                    }
                }
            }
            if (stuck) {
                // Memory dead end: a matching in the same preference order repairs it (or proves infeasibility).
                int[] m = Matching.maximum(cm.n, cm.k, (r, c) -> cm.fits1(devs[c], blocks[r]), deadline);
                if (m == null) {
                    Crunch.solve(cm, Joint.equalShares(cm), deadline);
                    throw new InfeasibleProblemException(List.of(new Violation("blocks", "no assignment fits")));
                }
                for (int r = 0; r < cm.n; r++) {
                    assign[blocks[r]] = devs[m[r]];
                }
            }
        } else {
            CostModel.SetCost[] sets = new CostModel.SetCost[cm.k];
            Arrays.fill(sets, CostModel.SetCost.EMPTY);
            int[] count = new int[cm.k];
            int[] a = new int[cm.n];
            int next = 0;
            boolean ok = true;
            for (int r = 0; r < cm.n && ok; r++) {
                deadline.check();
                int b = blocks[r];
                ok = false;
                for (int tries = 0; tries < cm.k; tries++) {
                    int d = devs[(next + tries) % cm.k];
                    CostModel.SetCost s = cm.add(sets[d], b);
                    if (count[d] < cm.maxBlocksPerDevice && cm.memory(d, s) <= cm.memBudget[d]) {
                        sets[d] = s;
                        count[d]++;
                        a[b] = d;
                        next = (next + tries + 1) % cm.k;
                        ok = true;
                        break;
                    }
                }
            }
            assign = ok ? a : Packing.solve(cm, Joint.equalShares(cm), deadline).blockToDevice();
        }
        Joint.Solution s = Joint.split(cm, assign);
        return new Outcome(assign, s.hz(), p2Bound(cm, deadline), 1);
    }

    /**
     * Offload: one device trains every block with the whole band; of the devices whose memory holds all blocks,
     * the one with the lowest latency (so the plan is the exact optimum of the single-device problem).
     * {@code maxBlocksPerDevice} does not apply: a single device doing everything is the point of this baseline.
     */
    private static Outcome offload(CostModel cm) {
        CostModel.SetCost all = CostModel.SetCost.EMPTY;
        for (int b = 0; b < cm.n; b++) {
            all = cm.add(all, b);
        }
        int best = -1;
        double bestT = Double.POSITIVE_INFINITY;
        for (int d = 0; d < cm.k; d++) {
            if (cm.memory(d, all) <= cm.memBudget[d]) {
                double t = cm.latency(d, all, cm.totalBandwidth);
                if (t < bestT) {
                    bestT = t;
                    best = d;
                }
            }
        }
        if (best < 0) {
            throw new InfeasibleProblemException(List.of(new Violation("devices", "no single device has the memory"
                    + " to train all " + cm.n + " blocks, which 'offload' requires")));
        }
        int[] assign = new int[cm.n];
        Arrays.fill(assign, best);
        double[] hz = new double[cm.k];
        hz[best] = cm.totalBandwidth;
        return new Outcome(assign, hz, bestT, 1);
    }

    /**
     * Random: a uniformly shuffled feasible assignment (seeded by the problem's seed), {@code B/K} each. One block
     * per device: a matching over shuffled blocks and devices (never misses a feasible assignment); several:
     * random devices with a free slot and the memory, retried, then the packing heuristic as a last resort.
     */
    private static Outcome random(CostModel cm, Deadline deadline) {
        SplittableRandom rnd = new SplittableRandom(cm.seed);
        double[] hz = Joint.equalShares(cm);
        int[] assign = null;
        int attempts = 0;
        if (cm.maxBlocksPerDevice == 1) {
            if (cm.k < cm.n) {
                Crunch.solve(cm, hz, deadline);
            }
            int[] rows = shuffled(cm.n, rnd);
            int[] cols = shuffled(cm.k, rnd);
            int[] m = Matching.maximum(cm.n, cm.k, (r, c) -> cm.fits1(cols[c], rows[r]), deadline);
            attempts = 1;
            if (m == null) {
                Crunch.solve(cm, hz, deadline);
                throw new InfeasibleProblemException(List.of(new Violation("blocks", "no assignment fits")));
            }
            assign = new int[cm.n];
            for (int r = 0; r < cm.n; r++) {
                assign[rows[r]] = cols[m[r]];
            }
        } else {
            int[] order = Packing.heaviestFirst(cm);
            for (attempts = 1; attempts <= 20 && assign == null; attempts++) {
                assign = randomPacking(cm, order, rnd, deadline);
            }
            if (assign == null) {
                assign = Packing.solve(cm, hz, deadline).blockToDevice();
            }
        }
        double lb = cm.maxBlocksPerDevice == 1 ? Crunch.solve(cm, hz, deadline).latency()
                : singleBlockBound(cm, hz, deadline);
        return new Outcome(assign, hz, lb, attempts);
    }

    private static int[] randomPacking(CostModel cm, int[] order, SplittableRandom rnd, Deadline deadline) {
        CostModel.SetCost[] sets = new CostModel.SetCost[cm.k];
        Arrays.fill(sets, CostModel.SetCost.EMPTY);
        int[] count = new int[cm.k];
        int[] assign = new int[cm.n];
        int[] cand = new int[cm.k];
        for (int b : order) {
            deadline.check();
            int c = 0;
            for (int d = 0; d < cm.k; d++) {
                if (count[d] < cm.maxBlocksPerDevice && cm.memory(d, cm.add(sets[d], b)) <= cm.memBudget[d]) {
                    cand[c++] = d;
                }
            }
            if (c == 0) {
                return null;
            }
            int d = cand[rnd.nextInt(c)];
            sets[d] = cm.add(sets[d], b);
            count[d]++;
            assign[b] = d;
        }
        return assign;
    }

    private static int[] shuffled(int n, SplittableRandom rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    // ---- lower bounds ----

    /**
     * Every block is trained by some device, at best alone: {@code max_n min_k T_k(n)} at the given bandwidths. Past
     * the deadline the maximum over the blocks seen so far, still a valid (weaker) bound.
     */
    static double singleBlockBound(CostModel cm, double[] hz, Deadline deadline) {
        double lb = 0;
        for (int b = 0; b < cm.n && !deadline.passed(); b++) {
            double best = Double.POSITIVE_INFINITY;
            for (int d = 0; d < cm.k; d++) {
                if (cm.fits1(d, b)) {
                    best = Math.min(best, cm.latency1(d, b, hz[d]));
                }
            }
            lb = Math.max(lb, best);
        }
        return lb;
    }

    /** A P2 lower bound: no device can have more than the whole band {@code B}. */
    static double p2Bound(CostModel cm, Deadline deadline) {
        double[] whole = new double[cm.k];
        Arrays.fill(whole, cm.totalBandwidth);
        if (cm.maxBlocksPerDevice == 1) {
            try {
                return Crunch.solve(cm, whole, deadline).latency();
            } catch (Deadline.Expired e) {
                return 0;
            }
        }
        return singleBlockBound(cm, whole, deadline);
    }

    // ---- plan assembly ----

    private static Plan build(CostModel cm, Algorithm algorithm, Outcome o, double millis) {
        CostModel.SetCost[] sets = Packing.sets(cm, o.blockToDevice());
        List<List<Integer>> layers = new ArrayList<>(cm.k);
        for (int d = 0; d < cm.k; d++) {
            layers.add(new ArrayList<>());
        }
        for (int b = 0; b < cm.n; b++) {
            layers.get(o.blockToDevice()[b]).add(cm.layers - cm.depth[b] + 1);
        }
        List<Assignment> assignments = new ArrayList<>();
        List<String> idle = new ArrayList<>();
        double round = 0;
        String bottleneck = null;
        for (int d = 0; d < cm.k; d++) {
            String name = cm.devices[d].name();
            if (sets[d].dmax() == 0) {
                idle.add(name);
                continue;
            }
            List<Integer> ls = layers.get(d);
            ls.sort(null);
            double comp = cm.compute(d, sets[d]);
            double up = cm.upload(d, sets[d].bits(), o.hz()[d]);
            double lat = comp + up;
            if (!(lat < Double.POSITIVE_INFINITY)) {
                throw new InfeasibleProblemException(List.of(new Violation(cm.devices[d].bandwidthHz() != null
                        ? "devices[" + d + "].bandwidthHz" : "devices[" + d + "]", String.format(java.util.Locale.ROOT,
                        "device '%s' cannot finish a round: computing takes %.4g s and uploading %.4g bits at %.4g Hz"
                                + " (%.4g bit/s) takes %.4g s; no finite plan gives it these blocks", name, comp,
                        sets[d].bits(), o.hz()[d], Uplink.rate(o.hz()[d], cm.gamma[d]), up))));
            }
            assignments.add(new Assignment(name, ls, o.hz()[d], comp, up, lat, cm.memory(d, sets[d])));
            if (bottleneck == null || lat > round) {
                round = lat;
                bottleneck = name;
            }
        }
        double lb = Math.min(o.lowerBound(), round) * BOUND_SAFETY;
        if (!(lb >= 0)) {
            // A bound that came out NaN (or negative) proves nothing: report 0 and so a gap of 1, never NaN.
            lb = 0;
        }
        double gap = round > 0 ? Math.max(0, (round - lb) / round) : 0;
        if (gap <= 1e-8) {
            gap = 0;
        }
        return new Plan(algorithm, round, round * cm.rounds, lb, assignments, idle, bottleneck,
                new SolverStats(o.iterations(), millis, gap));
    }
}
