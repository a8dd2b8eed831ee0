package io.loladeft.planning;

import java.util.Arrays;

/** Lower bounds the algorithms report when they prove none of their own. */
final class LowerBounds {

    private LowerBounds() {}

    /**
     * Every block is trained by some device, at best alone: {@code max_n min_k T_k(n)} at the given bandwidths. Past
     * the deadline the maximum over the blocks seen so far, still a valid (weaker) bound.
     */
    static double singleBlock(CostModel cm, double[] hz, Deadline deadline) {
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
    static double p2(CostModel cm, Deadline deadline) {
        double[] whole = new double[cm.k];
        Arrays.fill(whole, cm.totalBandwidth);
        if (cm.maxBlocksPerDevice == 1) {
            try {
                return Crunch.solve(cm, whole, deadline).latency();
            } catch (Deadline.Expired e) {
                return 0;
            }
        }
        return singleBlock(cm, whole, deadline);
    }
}
