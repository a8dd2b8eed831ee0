package io.loladeft.planning;

import java.util.Arrays;

/** Helpers for P2: the exact min-max bandwidth split of a fixed assignment, and its improvement by alternation. */
final class Joint {

    private Joint() {}

    /** An assignment with per-device bandwidths (0 for idle devices) and its round latency. */
    record Solution(int[] blockToDevice, double[] hz, double latency) {}

    /** The assignment with the exact min-max split of the whole band among its involved devices. */
    static Solution split(CostModel cm, int[] assign) {
        return split(cm, assign, null);
    }

    /**
     * As {@link #split(CostModel, int[])}, each device also sending {@code extraBits[d]} within the round (a migrated
     * block's state, {@link FixedAssignment}); {@code null} for none.
     */
    static Solution split(CostModel cm, int[] assign, double[] extraBits) {
        CostModel.SetCost[] sets = Packing.sets(cm, assign);
        int involved = 0;
        for (CostModel.SetCost s : sets) {
            if (!s.isEmpty()) {
                involved++;
            }
        }
        double[] c = new double[involved];
        double[] s = new double[involved];
        double[] g = new double[involved];
        int[] dev = new int[involved];
        int i = 0;
        for (int d = 0; d < cm.k; d++) {
            if (!sets[d].isEmpty()) {
                c[i] = cm.compute(d, sets[d]);
                s[i] = sets[d].bits() + (extraBits == null ? 0 : extraBits[d]);
                g[i] = cm.gamma[d];
                dev[i] = d;
                i++;
            }
        }
        BandwidthSplit.Split sp = BandwidthSplit.minMax(c, s, g, cm.totalBandwidth);
        double[] hz = new double[cm.k];
        for (int j = 0; j < involved; j++) {
            hz[dev[j]] = sp.hz()[j];
        }
        return new Solution(assign, hz, sp.latency());
    }

    /** Equal bandwidth {@code B/K} for every device. */
    static double[] equalShares(CostModel cm) {
        double[] hz = new double[cm.k];
        Arrays.fill(hz, cm.totalBandwidth / cm.k);
        return hz;
    }

    /** P1 at the given bandwidths: CRUNCH for one block per device, the packing heuristic otherwise. */
    static int[] blockAllocation(CostModel cm, double[] hz, Deadline deadline) {
        return cm.maxBlocksPerDevice == 1
                ? Crunch.solve(cm, hz, deadline).blockToDevice()
                : Packing.solve(cm, hz, deadline).blockToDevice();
    }

    /**
     * Alternation: re-allocate blocks optimally for the current split's bandwidths (a device without bandwidth
     * is unusable), then split exactly again; each step can only lower the latency, stop when it does not, or when
     * the deadline has passed (then the best so far).
     */
    static Solution alternate(CostModel cm, Solution start, int maxRounds, Deadline deadline) {
        Solution best = start;
        for (int r = 0; r < maxRounds; r++) {
            int[] a;
            try {
                a = blockAllocation(cm, best.hz(), deadline);
            } catch (InfeasibleProblemException | Deadline.Expired e) {
                return best;
            }
            Solution next = split(cm, a);
            if (!(next.latency() < best.latency() * (1 - 1e-12))) {
                return best;
            }
            best = next;
        }
        return best;
    }
}
