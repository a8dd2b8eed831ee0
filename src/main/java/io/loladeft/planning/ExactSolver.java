package io.loladeft.planning;

import java.util.Arrays;

/**
 * The exact optimum of P2 (joint bandwidth and block allocation), the yardstick of the heuristics.
 *
 * <p><b>One block per device: parametric assignment.</b> For a target latency {@code T}, pair {@code (k, n)}
 * needs the bandwidth {@code beta_kn(T) = R_k^{-1}(s_n / (T - c_kn))} (infinite when {@code T <= c_kn} or the
 * block does not fit), and idle devices need none. So {@code T} is achievable iff the min-sum assignment of blocks
 * to devices with costs {@code beta_kn(T)} is at most {@code B}: one Hungarian solve. Every {@code beta_kn} is
 * decreasing in {@code T}, so feasibility is monotone, and the search runs between the whole-band CRUNCH bound and
 * the incumbent. Its targets are Newton (Dinkelbach) steps: just below the incumbent ({@link #nextTarget}); a
 * feasible target yields an assignment whose exact split is strictly better, an infeasible one just below the
 * incumbent proves it optimal. After a Newton step that gained less than half the gap the next target is the
 * midpoint (plain bisection), so the gap still at least halves every two steps; in practice 3 to 5 Hungarian
 * solves instead of the ~33 of pure bisection. The result is optimal to relative 1e-10; the last infeasible
 * {@code T} is the reported lower bound. Work per step {@code N^2 K}; this shows that P2 with one block per device
 * is polynomial.
 *
 * <p><b>Several blocks per device: branch and bound.</b> Blocks heaviest first, each to every device with a free
 * slot and the memory; a branch is pruned when some device cannot beat the incumbent even with the whole band,
 * or when the bandwidths its devices need to beat the incumbent already exceed {@code B}; each leaf gets the
 * exact min-max split. Work {@code K^N} in the worst case.
 */
final class ExactSolver {

    private ExactSolver() {}

    /** The best plan, a proven lower bound, search steps, and whether the deadline cut the search short. */
    record Result(Joint.Solution best, double lowerBound, int iterations, boolean timedOut) {}

    /** The work unit compared with {@link PlanningLimits#exactMaxWork()}. */
    static double work(CostModel cm) {
        if (cm.maxBlocksPerDevice == 1) {
            return (double) cm.n * cm.n * cm.k;
        }
        return Math.pow(cm.k, cm.n);
    }

    static String workUnit(CostModel cm) {
        return cm.maxBlocksPerDevice == 1 ? "N^2*K (Hungarian work per bisection step)" : "K^N (assignments to search)";
    }

    /** {@code exact}: the parametric search or the branch and bound; past the deadline it throws. */
    static Result solve(CostModel cm, Joint.Solution incumbent, Deadline deadline) {
        if (cm.maxBlocksPerDevice > 1) {
            return branchAndBound(cm, incumbent, deadline);
        }
        Result r = parametric(cm, incumbent, deadline);
        if (r.timedOut()) {
            throw new SolverTimeoutException("the exact solver ran past its time budget after " + r.iterations()
                    + " search steps (gap "
                    + (r.best().latency() - r.lowerBound()) / r.best().latency()
                    + "); use 'joint', which returns its best plan with its gap");
        }
        return r;
    }

    /**
     * The parametric search (one block per device) from {@code incumbent}; past the deadline it returns the best plan
     * so far with the last infeasible target as its bound ({@code timedOut} set). Memory: one {@code N x K} matrix of
     * doubles (the Hungarian costs); compute times and memory fits are recomputed when needed.
     */
    static Result parametric(CostModel cm, Joint.Solution incumbent, Deadline deadline) {
        int n = cm.n;
        int k = cm.k;
        double[] whole = new double[k];
        Arrays.fill(whole, cm.totalBandwidth);
        double lo = Crunch.solve(cm, whole, deadline).latency();
        Joint.Solution best = incumbent;
        double hi = best.latency();
        double[] fullRate = fullBandRates(cm);
        int steps = 0;
        try {
            double[][] cost = new double[n][k];
            // lo itself may be achievable (then nothing below it is, as it is a lower bound).
            int[] atLo = feasibleAt(cm, fullRate, cost, lo, deadline);
            if (atLo != null) {
                Joint.Solution s = Joint.split(cm, atLo);
                if (s.latency() < best.latency()) {
                    best = s;
                }
                return new Result(best, lo, 1, false);
            }
            return narrow(cm, best, lo, steps, TOLERANCE, t -> feasibleAt(cm, fullRate, cost, t, deadline));
        } catch (Deadline.Expired e) {
            return new Result(best, lo, steps, true);
        }
    }

    /** The question a parametric search asks at a target: an assignment that finishes by {@code t}, or null. */
    interface Feasibility {
        int[] at(double t);
    }

    /**
     * The parametric search's loop from the plan {@code best} and the proven bound {@code lo} until the gap is
     * within {@code tolerance}: Newton targets ({@link #nextTarget}), a bisection after a Newton step that gained
     * less than half the gap, so the gap at least halves every two steps. Past the deadline (the feasibility test
     * throws {@link Deadline.Expired}) it returns the best plan so far and the last infeasible target.
     */
    static Result narrow(
            CostModel cm, Joint.Solution best, double lo, int steps, double tolerance, Feasibility feasible) {
        double hi = best.latency();
        boolean bisect = false;
        try {
            while (hi - lo > tolerance * hi) {
                double t = bisect ? 0.5 * (lo + hi) : nextTarget(lo, hi, TOLERANCE / 2);
                int[] a = feasible.at(t);
                steps++;
                if (a != null) {
                    Joint.Solution s = Joint.split(cm, a);
                    if (s.latency() < best.latency()) {
                        best = s;
                    }
                    double before = hi;
                    hi = Math.min(t, best.latency());
                    bisect = !bisect && before - hi < 0.5 * (before - lo);
                } else {
                    lo = t;
                    bisect = false;
                }
            }
        } catch (Deadline.Expired e) {
            return new Result(best, lo, steps, true);
        }
        return new Result(best, lo, steps, false);
    }

    /** Relative optimality tolerance of the parametric search. */
    static final double TOLERANCE = 1e-10;

    /**
     * The Newton (Dinkelbach) target of the parametric search: just below the incumbent {@code hi}, at
     * {@code hi (1 - tol)}, but never below the midpoint of {@code [lo, hi]}. If it is infeasible the incumbent is
     * proven within {@code tol}; if it is feasible, the least-bandwidth assignment {@code y} there has
     * {@code W_y(t) <= B}, so its exact split finishes by {@code t}: a better plan, and the root of the convex
     * {@code W_y} is exactly where a Newton step on the piecewise {@code W = min_y W_y} would go. This converges in
     * a handful of steps (each assignment is visited at most once, the latency strictly drops); the callers
     * interleave a bisection step after a Newton step that gained less than half the gap, which keeps the
     * bisection's guarantee (the gap at least halves every two steps).
     */
    static double nextTarget(double lo, double hi, double tol) {
        return Math.max(hi * (1 - tol), 0.5 * (Math.max(lo, 0) + hi));
    }

    /** Each device's rate with the whole band, {@code R_k(B)}: no pair needing more can be in a feasible plan. */
    static double[] fullBandRates(CostModel cm) {
        double[] r = new double[cm.k];
        for (int d = 0; d < cm.k; d++) {
            r[d] = Uplink.rate(cm.totalBandwidth, cm.gamma[d]);
        }
        return r;
    }

    /**
     * The least-bandwidth assignment at {@code t} if it fits the band, else {@code null}. A pair whose rate must
     * exceed {@code R_k(B)} needs more than the whole band on its own ({@code beta > B}), so no assignment within
     * the band uses it: it is cut before its Shannon inverse is computed, which changes neither the answer nor
     * the assignment found (the min-sum assignment within the band never uses such a pair).
     */
    private static int[] feasibleAt(CostModel cm, double[] fullRate, double[][] cost, double t, Deadline deadline) {
        for (int b = 0; b < cm.n; b++) {
            deadline.check();
            double[] row = cost[b];
            double bits = cm.bits[b];
            for (int d = 0; d < cm.k; d++) {
                double c = cm.compute1(d, b);
                double r = bits / (t - c);
                row[d] = t > c && r <= fullRate[d] && cm.fits1(d, b)
                        ? Uplink.bandwidthFor(r, cm.gamma[d])
                        : Double.POSITIVE_INFINITY;
            }
        }
        int[] a = Hungarian.solve(cost, deadline);
        if (a == null || Hungarian.value(cost, a) > cm.totalBandwidth) {
            return null;
        }
        return a;
    }

    // ---- branch and bound for several blocks per device ----

    private static final class Search {
        final CostModel cm;
        final int[] order;
        final Deadline deadline;
        final CostModel.SetCost[] sets;
        final int[] count;
        final double[] need;
        final int[] assign;
        Joint.Solution best;
        long nodes;

        Search(CostModel cm, Joint.Solution incumbent, Deadline deadline) {
            this.cm = cm;
            this.order = Packing.heaviestFirst(cm);
            this.deadline = deadline;
            this.sets = new CostModel.SetCost[cm.k];
            Arrays.fill(sets, CostModel.SetCost.EMPTY);
            this.count = new int[cm.k];
            this.need = new double[cm.k];
            this.assign = new int[cm.n];
            this.best = incumbent;
        }

        void run(int pos, double needSum) {
            if ((++nodes & 0x3FF) == 0 && deadline.passed()) {
                throw new SolverTimeoutException("the exact solver ran past its time budget after " + nodes
                        + " search nodes; use 'joint' for this size");
            }
            if (pos == cm.n) {
                Joint.Solution s = Joint.split(cm, assign.clone());
                if (s.latency() < best.latency()) {
                    best = s;
                }
                return;
            }
            int b = order[pos];
            for (int d = 0; d < cm.k; d++) {
                if (count[d] >= cm.maxBlocksPerDevice) {
                    continue;
                }
                CostModel.SetCost before = sets[d];
                CostModel.SetCost after = cm.add(before, b);
                if (cm.memory(d, after) > cm.memBudget[d]) {
                    continue;
                }
                double c = cm.compute(d, after);
                double ub = best.latency();
                if (c + cm.upload(d, after.bits(), cm.totalBandwidth) >= ub) {
                    continue;
                }
                double nd = Uplink.bandwidthFor(after.bits() / (ub - c), cm.gamma[d]);
                double newSum = needSum - need[d] + nd;
                if (newSum > cm.totalBandwidth) {
                    continue;
                }
                double oldNeed = need[d];
                sets[d] = after;
                count[d]++;
                need[d] = nd;
                assign[b] = d;
                run(pos + 1, newSum);
                sets[d] = before;
                count[d]--;
                need[d] = oldNeed;
            }
        }
    }

    private static Result branchAndBound(CostModel cm, Joint.Solution incumbent, Deadline deadline) {
        Search s = new Search(cm, incumbent, deadline);
        s.run(0, 0);
        return new Result(s.best, s.best.latency(), (int) Math.min(Integer.MAX_VALUE, s.nodes), false);
    }
}
