package io.loladeft.planning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan for an assignment fixed by the caller ({@link Planner#forAssignment}): no search, only the exact min-max
 * split of the band among the devices the assignment involves. A block is named by its layer (1..L, the head's
 * block L+1), as plans name it.
 */
final class FixedAssignment {

    private FixedAssignment() {}

    static Plan price(
            PlanningProblem problem,
            Map<String, List<Integer>> layersByDevice,
            Map<String, Double> extraBits,
            Algorithm label) {
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
                bad.add(new Violation(
                        "assignment", "the block at layer " + (cm.layers - cm.depth[b] + 1) + " is not assigned"));
            }
        }
        if (!bad.isEmpty()) {
            throw new InvalidProblemException(bad);
        }
        CostModel.SetCost[] sets = Packing.sets(cm, assign);
        int involved = 0;
        for (CostModel.SetCost set : sets) {
            involved += set.isEmpty() ? 0 : 1;
        }
        double[] c = new double[involved];
        double[] bits = new double[involved];
        double[] g = new double[involved];
        int[] dev = new int[involved];
        int i = 0;
        for (int d = 0; d < cm.k; d++) {
            if (!sets[d].isEmpty()) {
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
            if (sets[d].isEmpty()) {
                idle.add(cm.devices[d].name());
                continue;
            }
            double hz = split.hz()[j];
            double up = Uplink.uploadSeconds(bits[j], hz, g[j]);
            double lat = c[j] + up;
            if (!(lat < Double.POSITIVE_INFINITY)) {
                throw new InfeasibleProblemException(List.of(new Violation(
                        "assignment." + cm.devices[d].name(), "cannot finish a round: no bandwidth is left for it")));
            }
            List<Integer> ls = new ArrayList<>();
            for (int b = 0; b < cm.n; b++) {
                if (assign[b] == d) {
                    ls.add(cm.layers - cm.depth[b] + 1);
                }
            }
            ls.sort(null);
            assignments.add(new Assignment(
                    cm.devices[d].name(), ls, ls.contains(cm.layers + 1), hz, c[j], up, lat, cm.memory(d, sets[d])));
            if (bottleneck == null || lat > round) {
                round = lat;
                bottleneck = cm.devices[d].name();
            }
            j++;
        }
        return new Plan(
                label,
                round,
                round * cm.rounds,
                round,
                assignments,
                idle,
                bottleneck,
                new SolverStats(0, (System.nanoTime() - t0) / 1e6, 0));
    }
}
