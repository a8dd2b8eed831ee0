package io.loladeft.planning;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Turns an algorithm's {@link Outcome} into a {@link Plan}: per-device costs, bottleneck, bound and gap. */
final class PlanAssembly {

    /** Every bound is lowered by this factor so floating-point rounding can never lift it above the optimum. */
    static final double BOUND_SAFETY = 1 - 1e-9;

    /** Gaps at or below this are rounding, reported as 0 (the plan is proven optimal). */
    static final double GAP_ROUNDING = 1e-8;

    private PlanAssembly() {}

    static Plan build(CostModel cm, Algorithm algorithm, Outcome o, double millis) {
        return build(cm, algorithm, o, millis, null);
    }

    /**
     * As {@link #build(CostModel, Algorithm, Outcome, double)}, each device's upload also carrying
     * {@code extraBits[d]} ({@link FixedAssignment}'s migrated state); {@code null} for none.
     */
    static Plan build(CostModel cm, Algorithm algorithm, Outcome o, double millis, double[] extraBits) {
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
            if (sets[d].isEmpty()) {
                idle.add(name);
                continue;
            }
            List<Integer> ls = layers.get(d);
            ls.sort(null);
            double comp = cm.compute(d, sets[d]);
            double bits = sets[d].bits() + (extraBits == null ? 0 : extraBits[d]);
            double up = cm.upload(d, bits, o.hz()[d]);
            double lat = comp + up;
            if (!(lat < Double.POSITIVE_INFINITY)) {
                throw new InfeasibleProblemException(List.of(new Violation(
                        cm.devices[d].bandwidthHz() != null ? "devices[" + d + "].bandwidthHz" : "devices[" + d + "]",
                        String.format(
                                Locale.ROOT,
                                "device '%s' cannot finish a round: computing takes %.4g s and uploading %.4g bits at %.4g Hz"
                                        + " (%.4g bit/s) takes %.4g s; no finite plan gives it these blocks",
                                name,
                                comp,
                                bits,
                                o.hz()[d],
                                Uplink.rate(o.hz()[d], cm.gamma[d]),
                                up))));
            }
            assignments.add(new Assignment(
                    name, ls, ls.contains(cm.layers + 1), o.hz()[d], comp, up, lat, cm.memory(d, sets[d])));
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
        if (gap <= GAP_ROUNDING) {
            gap = 0;
        }
        return new Plan(
                algorithm,
                round,
                round * cm.rounds,
                lb,
                assignments,
                idle,
                bottleneck,
                new SolverStats(o.iterations(), millis, gap));
    }
}
