package io.loladeft.planning;

import java.util.Arrays;

/** Exhaustive optima for small instances: the yardsticks of the property tests. */
final class Oracles {

    private Oracles() {
    }

    /** Optimum of P1 (one block per device) at bandwidths {@code hz}; +infinity when nothing is feasible. */
    static double p1(CostModel cm, double[] hz) {
        return p1(cm, hz, 0, new boolean[cm.k], 0);
    }

    private static double p1(CostModel cm, double[] hz, int b, boolean[] used, double sofar) {
        if (b == cm.n) {
            return sofar;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int d = 0; d < cm.k; d++) {
            if (!used[d] && cm.fits1(d, b)) {
                used[d] = true;
                best = Math.min(best, p1(cm, hz, b + 1, used, Math.max(sofar, cm.latency1(d, b, hz[d]))));
                used[d] = false;
            }
        }
        return best;
    }

    /** Optimum of P2: every assignment within memory and slots, each with the exact min-max split. */
    static double p2(CostModel cm) {
        int[] assign = new int[cm.n];
        int[] count = new int[cm.k];
        CostModel.SetCost[] sets = new CostModel.SetCost[cm.k];
        Arrays.fill(sets, CostModel.SetCost.EMPTY);
        return p2(cm, 0, assign, count, sets);
    }

    private static double p2(CostModel cm, int b, int[] assign, int[] count, CostModel.SetCost[] sets) {
        if (b == cm.n) {
            return Joint.split(cm, assign.clone()).latency();
        }
        double best = Double.POSITIVE_INFINITY;
        for (int d = 0; d < cm.k; d++) {
            if (count[d] >= cm.maxBlocksPerDevice) {
                continue;
            }
            CostModel.SetCost before = sets[d];
            CostModel.SetCost after = cm.add(before, b);
            if (cm.memory(d, after) > cm.memBudget[d]) {
                continue;
            }
            sets[d] = after;
            count[d]++;
            assign[b] = d;
            best = Math.min(best, p2(cm, b + 1, assign, count, sets));
            sets[d] = before;
            count[d]--;
        }
        return best;
    }
}
