package io.loladeft.planning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * P1 with several blocks per device ({@code maxBlocksPerDevice = m > 1}), bandwidths given. A device's cost
 * depends on its whole set (deepest depth, parameter sum), so the problem contains bin packing and this solver is
 * a heuristic, not exact: a bisection on the latency threshold {@code tau} where each test is a greedy packing of
 * the blocks, heaviest first, into devices (best fit among devices already opened, else open a new one; two
 * opening rules are tried: strongest device first and weakest sufficient device first). When {@code K >= N} the
 * exact one-block-per-device optimum from {@link Crunch} is also a candidate, so allowing several blocks never
 * gives a worse plan than forbidding them. docs/planning.md reports its measured gap to the exact solver.
 */
final class Packing {

    private Packing() {}

    record Result(int[] blockToDevice, double latency, int checks) {}

    /**
     * Packs the blocks at the given bandwidths, checking the deadline for every block placed: past it, the best packing
     * so far (the bisection only improves on the first one found); {@link Deadline.Expired} if none was found yet.
     */
    static Result solve(CostModel cm, double[] hz, Deadline deadline) {
        int m = cm.maxBlocksPerDevice;
        if ((long) cm.k * m < cm.n) {
            throw new InfeasibleProblemException(List.of(new Violation(
                    "devices",
                    cm.n + " blocks need at least " + ((cm.n + m - 1) / m) + " devices with maxBlocksPerDevice=" + m
                            + ", but the fleet has " + cm.k)));
        }
        double lb = 0;
        List<Violation> homeless = new ArrayList<>();
        for (int b = 0; b < cm.n; b++) {
            deadline.check();
            double best = Double.POSITIVE_INFINITY;
            for (int d = 0; d < cm.k; d++) {
                if (cm.fits1(d, b)) {
                    best = Math.min(best, cm.latency1(d, b, hz[d]));
                }
            }
            if (best == Double.POSITIVE_INFINITY) {
                homeless.add(cm.homeless(b));
            }
            lb = Math.max(lb, best);
        }
        if (!homeless.isEmpty()) {
            throw new InfeasibleProblemException(homeless);
        }
        int[] order = heaviestFirst(cm);
        int[] best = null;
        double bestT = Double.POSITIVE_INFINITY;
        int checks = 0;
        if (cm.k >= cm.n) {
            try {
                Crunch.Result c = Crunch.solve(cm, hz, deadline);
                best = c.blockToDevice();
                bestT = c.latency();
                checks += c.checks();
            } catch (InfeasibleProblemException e) {
                // One block per device does not fit memory; packing several may still.
            }
        }
        int[] free = pack(cm, hz, order, Double.POSITIVE_INFINITY, deadline);
        checks++;
        if (free != null) {
            double t = latency(cm, hz, free);
            if (t < bestT) {
                best = free;
                bestT = t;
            }
        }
        if (best == null) {
            throw new InfeasibleProblemException(List.of(new Violation(
                    "devices",
                    "the greedy packing found no way"
                            + " to fit the " + cm.n + " blocks into the devices' memory with at most " + m
                            + " blocks per device; add memory or devices")));
        }
        double lo = lb;
        double hi = bestT;
        for (int it = 0; it < 64 && hi - lo > 1e-9 * hi && !deadline.passed(); it++) {
            double mid = 0.5 * (lo + hi);
            int[] a;
            try {
                a = pack(cm, hz, order, mid, deadline);
            } catch (Deadline.Expired e) {
                break;
            }
            checks++;
            if (a != null) {
                double t = latency(cm, hz, a);
                if (t < bestT) {
                    best = a;
                    bestT = t;
                }
                hi = Math.min(mid, t);
            } else {
                lo = mid;
            }
        }
        return new Result(best, bestT, checks);
    }

    static int[] heaviestFirst(CostModel cm) {
        Integer[] idx = new Integer[cm.n];
        for (int i = 0; i < cm.n; i++) {
            idx[i] = i;
        }
        Arrays.sort(
                idx,
                (x, y) -> cm.depth[x] != cm.depth[y]
                        ? Integer.compare(cm.depth[y], cm.depth[x])
                        : Long.compare(cm.params[y], cm.params[x]));
        int[] order = new int[cm.n];
        for (int i = 0; i < cm.n; i++) {
            order[i] = idx[i];
        }
        return order;
    }

    /** A packing within {@code tau}: strongest-first opening, then weakest-sufficient opening; {@code null} if both fail. */
    static int[] pack(CostModel cm, double[] hz, int[] order, double tau, Deadline deadline) {
        int[] a = pack(cm, hz, order, tau, true, deadline);
        return a != null ? a : pack(cm, hz, order, tau, false, deadline);
    }

    private static int[] pack(
            CostModel cm, double[] hz, int[] order, double tau, boolean strongestFirst, Deadline deadline) {
        CostModel.SetCost[] sets = new CostModel.SetCost[cm.k];
        Arrays.fill(sets, CostModel.SetCost.EMPTY);
        int[] count = new int[cm.k];
        int[] assign = new int[cm.n];
        for (int b : order) {
            deadline.check();
            int chosen = -1;
            double chosenKey = Double.POSITIVE_INFINITY;
            for (int d = 0; d < cm.k; d++) {
                if (count[d] == 0 || count[d] >= cm.maxBlocksPerDevice) {
                    continue;
                }
                CostModel.SetCost s = cm.add(sets[d], b);
                double t = cm.latency(d, s, hz[d]);
                if (t <= tau && cm.memory(d, s) <= cm.memBudget[d]) {
                    double slack = tau == Double.POSITIVE_INFINITY ? cm.memBudget[d] - cm.memory(d, s) : tau - t;
                    if (slack < chosenKey) {
                        chosenKey = slack;
                        chosen = d;
                    }
                }
            }
            if (chosen < 0) {
                for (int d = 0; d < cm.k; d++) {
                    if (count[d] != 0 || !cm.fits1(d, b)) {
                        continue;
                    }
                    double t = cm.latency1(d, b, hz[d]);
                    if (t > tau) {
                        continue;
                    }
                    double key = strongestFirst ? t : -t;
                    if (key < chosenKey) {
                        chosenKey = key;
                        chosen = d;
                    }
                }
            }
            if (chosen < 0) {
                return null;
            }
            sets[chosen] = cm.add(sets[chosen], b);
            count[chosen]++;
            assign[b] = chosen;
        }
        return assign;
    }

    /** Round latency of an assignment at the given bandwidths. */
    static double latency(CostModel cm, double[] hz, int[] assign) {
        CostModel.SetCost[] sets = sets(cm, assign);
        double t = 0;
        for (int d = 0; d < cm.k; d++) {
            t = Math.max(t, cm.latency(d, sets[d], hz[d]));
        }
        return t;
    }

    static CostModel.SetCost[] sets(CostModel cm, int[] assign) {
        CostModel.SetCost[] sets = new CostModel.SetCost[cm.k];
        Arrays.fill(sets, CostModel.SetCost.EMPTY);
        for (int b = 0; b < cm.n; b++) {
            sets[assign[b]] = cm.add(sets[assign[b]], b);
        }
        return sets;
    }
}
