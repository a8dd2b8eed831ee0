package io.loladeft.planning;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The peers of the several-blocks-per-device search in the benchmarks ({@code bench/MultiBlockBench}), on the same
 * cost model: the old packing heuristic, and the same parametric method with each feasibility test solved by
 * OR-Tools' MIP solver (SCIP) instead of {@link RunSearch}'s LP and search. Test scope: OR-Tools is not a runtime
 * dependency.
 */
public final class MultiBlockPeers {

    private MultiBlockPeers() {}

    /**
     * The several-blocks heuristic {@code joint} used before the run search ({@code JointSolvers.multiBlockHeuristic}, which
     * the planner now reaches only outside the run structure): the packing at {@code B/K} with the exact split and
     * alternation, the one-block-per-device optimum, and packings restricted to the {@code j} strongest devices.
     * Returns its round latency.
     */
    public static double oldHeuristic(PlanningProblem p) {
        return JointSolvers.multiBlockHeuristic(new CostModel(p), Deadline.NONE).latency();
    }

    /**
     * The exact optimum by the run search's parametric loop ({@link ExactSolver#narrow}, same Newton targets and
     * tolerance 1e-10, seeded like {@code exact}: the equal-bandwidth packing and the one-block-per-device plan), each
     * feasibility test a MIP solved by SCIP: a binary per (run item, device) pair within the band, each class
     * position and the odd block covered once, each device at most once, minimise the total bandwidth. Returns the
     * round latency.
     */
    public static double scip(PlanningProblem p) {
        Loader.loadNativeLibraries();
        CostModel cm = new CostModel(p);
        RunSearch.Structure st = RunSearch.structure(cm);
        if (st == null) {
            throw new IllegalArgumentException("outside the run structure");
        }
        Joint.Solution seed = Joint.split(
                cm, Packing.solve(cm, Joint.equalShares(cm), Deadline.NONE).blockToDevice());
        Joint.Solution one = JointSolvers.oneBlockPerDevice(cm, Deadline.NONE);
        if (one != null && one.latency() < seed.latency()) {
            seed = one;
        }
        List<int[]> items = items(cm, st);
        ExactSolver.Result r = ExactSolver.narrow(cm, seed, 0, 0, ExactSolver.TOLERANCE, t -> mipAt(cm, items, t));
        return r.best().latency();
    }

    /** Runs as block lists: every contiguous run of at most m class positions, with the odd block or not; the odd. */
    private static List<int[]> items(CostModel cm, RunSearch.Structure st) {
        int[] order = st.order();
        int m = cm.maxBlocksPerDevice;
        List<int[]> out = new ArrayList<>();
        for (int e = 0; e < order.length; e++) {
            for (int c = 1; c <= Math.min(m, e + 1); c++) {
                int[] run = Arrays.copyOfRange(order, e - c + 1, e + 1);
                out.add(run);
                if (st.odd() >= 0 && c + 1 <= m) {
                    int[] with = Arrays.copyOf(run, c + 1);
                    with[c] = st.odd();
                    out.add(with);
                }
            }
        }
        if (st.odd() >= 0) {
            out.add(new int[] {st.odd()});
        }
        return out;
    }

    private static int[] mipAt(CostModel cm, List<int[]> items, double t) {
        MPSolver solver = MPSolver.createSolver("SCIP");
        try {
            MPConstraint[] cover = new MPConstraint[cm.n];
            for (int b = 0; b < cm.n; b++) {
                cover[b] = solver.makeConstraint(1, 1);
            }
            MPConstraint[] once = new MPConstraint[cm.k];
            for (int d = 0; d < cm.k; d++) {
                once[d] = solver.makeConstraint(0, 1);
            }
            MPObjective total = solver.objective();
            List<MPVariable> vars = new ArrayList<>();
            List<int[]> pairs = new ArrayList<>();
            double[] fullRate = ExactSolver.fullBandRates(cm);
            for (int i = 0; i < items.size(); i++) {
                CostModel.SetCost set = CostModel.SetCost.EMPTY;
                for (int b : items.get(i)) {
                    set = cm.add(set, b);
                }
                for (int d = 0; d < cm.k; d++) {
                    double c = cm.compute(d, set);
                    double rate = set.bits() / (t - c);
                    if (cm.memory(d, set) > cm.memBudget[d] || !(t > c) || rate > fullRate[d]) {
                        continue;
                    }
                    double beta = Uplink.bandwidthFor(rate, cm.gamma[d]);
                    if (beta > cm.totalBandwidth) {
                        continue;
                    }
                    MPVariable x = solver.makeBoolVar("x" + i + "_" + d);
                    for (int b : items.get(i)) {
                        cover[b].setCoefficient(x, 1);
                    }
                    once[d].setCoefficient(x, 1);
                    total.setCoefficient(x, beta / cm.totalBandwidth);
                    vars.add(x);
                    pairs.add(new int[] {i, d});
                }
            }
            total.setMinimization();
            MPSolver.ResultStatus status = solver.solve();
            if (status != MPSolver.ResultStatus.OPTIMAL || total.value() > 1) {
                return null;
            }
            int[] a = new int[cm.n];
            for (int v = 0; v < vars.size(); v++) {
                if (vars.get(v).solutionValue() > 0.5) {
                    for (int b : items.get(pairs.get(v)[0])) {
                        a[b] = pairs.get(v)[1];
                    }
                }
            }
            return a;
        } finally {
            solver.delete();
        }
    }
}
