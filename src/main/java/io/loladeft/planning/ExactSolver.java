package io.loladeft.planning;

import java.util.Arrays;

/**
 * The exact optimum of P2 (joint bandwidth and block allocation), the yardstick of the heuristics.
 *
 * <p><b>One block per device: parametric assignment.</b> For a target latency {@code T}, pair {@code (k, n)}
 * needs the bandwidth {@code beta_kn(T) = R_k^{-1}(s_n / (T - c_kn))} (infinite when {@code T <= c_kn} or the
 * block does not fit), and idle devices need none. So {@code T} is achievable iff the min-sum assignment of blocks
 * to devices with costs {@code beta_kn(T)} is at most {@code B}: one Hungarian solve. Every {@code beta_kn} is
 * decreasing in {@code T}, so feasibility is monotone and a bisection on {@code T} between the whole-band CRUNCH
 * bound and a feasible plan converges to the optimum; the final assignment gets the exact min-max split. The
 * result is optimal to the bisection tolerance (relative 1e-10); the last infeasible {@code T} is the reported
 * lower bound. Work per step {@code N^2 K}; this shows that P2 with one block per device is polynomial, though
 * the Hungarian solve per bisection step makes it far slower than dual ascent on large fleets.
 *
 * <p><b>Several blocks per device: branch and bound.</b> Blocks heaviest first, each to every device with a free
 * slot and the memory; a branch is pruned when some device cannot beat the incumbent even with the whole band,
 * or when the bandwidths its devices need to beat the incumbent already exceed {@code B}; each leaf gets the
 * exact min-max split. Work {@code K^N} in the worst case.
 */
final class ExactSolver {

    private ExactSolver() {
    }

    record Result(Joint.Solution best, double lowerBound, int iterations) {
    }

    /** The work unit compared with {@link PlanningLimits#exactMaxWork()}. */
    static double work(CostModel cm) {
        if (cm.maxBlocksPerDevice == 1) {
            return (double) cm.n * cm.n * cm.k;
        }
        return Math.pow(cm.k, cm.n);
    }

    static String workUnit(CostModel cm) {
        return cm.maxBlocksPerDevice == 1 ? "N^2*K (Hungarian work per bisection step)"
                : "K^N (assignments to search)";
    }

    static Result solve(CostModel cm, Joint.Solution incumbent, long deadlineNanos) {
        return cm.maxBlocksPerDevice == 1 ? parametric(cm, incumbent, deadlineNanos)
                : branchAndBound(cm, incumbent, deadlineNanos);
    }

    private static Result parametric(CostModel cm, Joint.Solution incumbent, long deadlineNanos) {
        int n = cm.n;
        int k = cm.k;
        double[][] comp = new double[n][k];
        boolean[][] fits = new boolean[n][k];
        for (int b = 0; b < n; b++) {
            for (int d = 0; d < k; d++) {
                comp[b][d] = cm.compute1(d, b);
                fits[b][d] = cm.fits1(d, b);
            }
        }
        double[] whole = new double[k];
        Arrays.fill(whole, cm.totalBandwidth);
        double lo = Crunch.solve(cm, whole).latency();
        Joint.Solution best = incumbent;
        double hi = best.latency();
        double[][] cost = new double[n][k];
        int steps = 0;
        // lo itself may be achievable (then nothing below it is, as it is a lower bound).
        int[] atLo = feasibleAt(cm, comp, fits, cost, lo);
        if (atLo != null) {
            Joint.Solution s = Joint.split(cm, atLo);
            if (s.latency() < best.latency()) {
                best = s;
            }
            return new Result(best, lo, 1);
        }
        while (hi - lo > 1e-10 * hi) {
            if (System.nanoTime() > deadlineNanos) {
                throw new SolverTimeoutException("the exact solver ran past its time budget after " + steps
                        + " bisection steps (gap " + (hi - lo) / hi + "); use 'jbba' for this size");
            }
            double mid = 0.5 * (lo + hi);
            int[] a = feasibleAt(cm, comp, fits, cost, mid);
            steps++;
            if (a != null) {
                Joint.Solution s = Joint.split(cm, a);
                if (s.latency() < best.latency()) {
                    best = s;
                }
                hi = Math.min(mid, best.latency());
            } else {
                lo = mid;
            }
        }
        return new Result(best, lo, steps);
    }

    /** The assignment needing least total bandwidth to finish by {@code t}, if that total is within the band. */
    static int[] leastBandwidth(CostModel cm, double[][] comp, boolean[][] fits, double[][] cost, double t) {
        return feasibleAt(cm, comp, fits, cost, t);
    }

    private static int[] feasibleAt(CostModel cm, double[][] comp, boolean[][] fits, double[][] cost, double t) {
        for (int b = 0; b < cm.n; b++) {
            for (int d = 0; d < cm.k; d++) {
                cost[b][d] = fits[b][d] && t > comp[b][d]
                        ? Uplink.bandwidthFor(cm.bits[b] / (t - comp[b][d]), cm.gamma[d])
                        : Double.POSITIVE_INFINITY;
            }
        }
        int[] a = Hungarian.solve(cost);
        if (a == null || Hungarian.value(cost, a) > cm.totalBandwidth) {
            return null;
        }
        return a;
    }

    // ---- branch and bound for several blocks per device ----

    private static final class Search {
        final CostModel cm;
        final int[] order;
        final long deadline;
        final CostModel.SetCost[] sets;
        final int[] count;
        final double[] need;
        final int[] assign;
        Joint.Solution best;
        long nodes;

        Search(CostModel cm, Joint.Solution incumbent, long deadline) {
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
            if ((++nodes & 0x3FF) == 0 && System.nanoTime() > deadline) {
                throw new SolverTimeoutException("the exact solver ran past its time budget after " + nodes
                        + " search nodes; use 'jbba' for this size");
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

    private static Result branchAndBound(CostModel cm, Joint.Solution incumbent, long deadlineNanos) {
        Search s = new Search(cm, incumbent, deadlineNanos);
        s.run(0, 0);
        return new Result(s.best, s.best.latency(), (int) Math.min(Integer.MAX_VALUE, s.nodes));
    }
}
