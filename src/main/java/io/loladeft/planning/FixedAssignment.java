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
        double[] extra = new double[cm.k];
        for (int d = 0; d < cm.k; d++) {
            extra[d] = extraBits.getOrDefault(cm.devices[d].name(), 0.0);
        }
        Joint.Solution split = Joint.split(cm, assign, extra);
        // Its own round is its bound: no search, so nothing better is claimed or ruled out.
        return PlanAssembly.build(
                cm, label, new Outcome(assign, split.hz(), split.latency(), 0), (System.nanoTime() - t0) / 1e6, extra);
    }
}
