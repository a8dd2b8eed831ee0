package io.loladeft.planning;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The planning core's one entry point, a dispatcher: it validates the problem, starts the deadline and hands the
 * problem to the algorithm ({@link Baselines}, {@link JointSolvers}), whose outcome {@link PlanAssembly} turns into a
 * plan. Stateless and thread-safe (every call builds its own working state).
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

    /** The most block-device pairs for which an algorithm keeps an {@code N x K} matrix (16 MiB of doubles). */
    public static final long MAX_DENSE_PAIRS = 1L << 21;

    private final PlanningLimits limits;
    private final JointSolvers joint;

    public Planner() {
        this(PlanningLimits.defaults());
    }

    public Planner(PlanningLimits limits) {
        this.limits = limits;
        this.joint = new JointSolvers(limits);
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
                case CRUNCH -> Baselines.blockAllocation(cm, Baselines.crunchShares(cm), deadline);
                case EQUAL_BANDWIDTH -> Baselines.blockAllocation(cm, Joint.equalShares(cm), deadline);
                case JOINT -> joint.joint(cm, deadline);
                case DUAL_ASCENT -> joint.dualAscent(cm, deadline);
                case EXACT -> joint.exact(cm, deadline);
                case DEPTH_UNAWARE -> Baselines.depthUnaware(cm, deadline);
                case OFFLOAD -> Baselines.offload(cm);
                case RANDOM -> Baselines.random(cm, deadline);
            };
        } catch (Deadline.Expired e) {
            throw new SolverTimeoutException(String.format(
                    Locale.ROOT,
                    "'%s' found no plan within its time budget of %d ms (%d devices, %d blocks, maxBlocksPerDevice"
                            + " %d); raise the budget or plan a smaller fleet",
                    algorithm.wireName(),
                    budgetMillis,
                    cm.k,
                    cm.n,
                    cm.maxBlocksPerDevice));
        }
        double millis = (System.nanoTime() - t0) / 1e6;
        return PlanAssembly.build(cm, algorithm, o, millis);
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
    public Plan forAssignment(
            PlanningProblem problem,
            Map<String, List<Integer>> layersByDevice,
            Map<String, Double> extraBits,
            Algorithm label) {
        return FixedAssignment.price(problem, layersByDevice, extraBits, label);
    }

    /**
     * Seconds to send {@code bits} at {@code bandwidthHz} over a device's uplink,
     * {@code R = B log2(1 + p g / (N0 B))}: the one rate the planner, the simulator and the job emulation use.
     */
    public static double uploadSeconds(
            double bits, double bandwidthHz, double txPowerDbm, double channelGainDb, double noisePsdDbmPerHz) {
        return Uplink.uploadSeconds(bits, bandwidthHz, Uplink.gamma(txPowerDbm, channelGainDb, noisePsdDbmPerHz));
    }
}
