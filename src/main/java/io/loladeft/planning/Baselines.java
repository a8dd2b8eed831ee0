package io.loladeft.planning;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The baselines {@code compare} measures the joint algorithm against: fixed bandwidth rules with the best block
 * allocation for them ({@code crunch}, {@code equal-bandwidth}), simple allocation rules with the exact split
 * ({@code depth-unaware}), one device doing everything ({@code offload}) and a random feasible plan ({@code random}).
 */
final class Baselines {

    /** Random assignments drawn, with several blocks per device, before the packing heuristic takes over. */
    static final int RANDOM_PACKING_ATTEMPTS = 20;

    private Baselines() {}

    /** Each device's fixed bandwidth, the rest shared equally by the devices without one. */
    static double[] crunchShares(CostModel cm) {
        double fixed = 0;
        int unfixed = 0;
        for (Device d : cm.devices) {
            if (d.bandwidthHz() != null) {
                fixed += d.bandwidthHz();
            } else {
                unfixed++;
            }
        }
        double share = unfixed == 0 ? 0 : (cm.totalBandwidth - fixed) / unfixed;
        double[] hz = new double[cm.k];
        for (int i = 0; i < cm.k; i++) {
            Double f = cm.devices[i].bandwidthHz();
            hz[i] = f != null ? f : share;
        }
        return hz;
    }

    /** P1 at the given bandwidths: CRUNCH (exact) with one block per device, the packing heuristic with several. */
    static Outcome blockAllocation(CostModel cm, double[] hz, Deadline deadline) {
        if (cm.maxBlocksPerDevice == 1) {
            Crunch.Result r = Crunch.solve(cm, hz, deadline);
            return new Outcome(r.blockToDevice(), hz, r.latency(), r.checks());
        }
        Packing.Result r = Packing.solve(cm, hz, deadline);
        return new Outcome(r.blockToDevice(), hz, LowerBounds.singleBlock(cm, hz, deadline), r.checks());
    }

    /**
     * Depth-unaware: blocks in layer order, devices fastest first (compute only); the first block goes to the
     * fastest device and so on, skipping devices without the memory (a matching repairs the rare dead end); with
     * several blocks per device the blocks are dealt round-robin. Then the exact bandwidth split.
     */
    static Outcome depthUnaware(CostModel cm, Deadline deadline) {
        int[] devs = sorted(cm.k, (x, y) -> Double.compare(cm.flops[y], cm.flops[x]));
        int[] blocks = sorted(cm.n, (x, y) -> Integer.compare(cm.depth[y], cm.depth[x]));
        int[] assign = cm.maxBlocksPerDevice == 1
                ? fastestFirst(cm, devs, blocks, deadline)
                : roundRobin(cm, devs, blocks, deadline);
        Joint.Solution s = Joint.split(cm, assign);
        return new Outcome(assign, s.hz(), LowerBounds.p2(cm, deadline), 1);
    }

    /** The depth-unaware rule with one block per device: each block in layer order to the fastest free device. */
    private static int[] fastestFirst(CostModel cm, int[] devs, int[] blocks, Deadline deadline) {
        Crunch.requireEnoughDevices(cm);
        int[] assign = new int[cm.n];
        boolean[] used = new boolean[cm.k];
        for (int r = 0; r < cm.n; r++) {
            deadline.check();
            int c = 0;
            while (c < cm.k && (used[devs[c]] || !cm.fits1(devs[c], blocks[r]))) {
                c++;
            }
            if (c == cm.k) {
                return matchedInOrder(cm, devs, blocks, deadline);
            }
            used[devs[c]] = true;
            assign[blocks[r]] = devs[c];
        }
        return assign;
    }

    /** Memory dead end: a matching in the same preference order repairs it (or proves infeasibility). */
    private static int[] matchedInOrder(CostModel cm, int[] devs, int[] blocks, Deadline deadline) {
        int[] m = Matching.maximum(cm.n, cm.k, (r, c) -> cm.fits1(devs[c], blocks[r]), deadline);
        if (m == null) {
            Crunch.requireAssignable(cm, deadline);
            throw new InfeasibleProblemException(List.of(new Violation("blocks", "no assignment fits")));
        }
        int[] assign = new int[cm.n];
        for (int r = 0; r < cm.n; r++) {
            assign[blocks[r]] = devs[m[r]];
        }
        return assign;
    }

    /** The depth-unaware rule with several blocks per device: blocks dealt round-robin; the packing if it jams. */
    private static int[] roundRobin(CostModel cm, int[] devs, int[] blocks, Deadline deadline) {
        CostModel.SetCost[] sets = new CostModel.SetCost[cm.k];
        Arrays.fill(sets, CostModel.SetCost.EMPTY);
        int[] count = new int[cm.k];
        int[] assign = new int[cm.n];
        int next = 0;
        for (int b : blocks) {
            deadline.check();
            int tries = 0;
            while (tries < cm.k && !fits(cm, sets, count, devs[(next + tries) % cm.k], b)) {
                tries++;
            }
            if (tries == cm.k) {
                return Packing.solve(cm, Joint.equalShares(cm), deadline).blockToDevice();
            }
            int d = devs[(next + tries) % cm.k];
            sets[d] = cm.add(sets[d], b);
            count[d]++;
            assign[b] = d;
            next = (next + tries + 1) % cm.k;
        }
        return assign;
    }

    private static boolean fits(CostModel cm, CostModel.SetCost[] sets, int[] count, int d, int b) {
        return count[d] < cm.maxBlocksPerDevice && cm.memory(d, cm.add(sets[d], b)) <= cm.memBudget[d];
    }

    /**
     * Offload: one device trains every block with the whole band; of the devices whose memory holds all blocks,
     * the one with the lowest latency (so the plan is the exact optimum of the single-device problem).
     * {@code maxBlocksPerDevice} does not apply: a single device doing everything is the point of this baseline.
     */
    static Outcome offload(CostModel cm) {
        CostModel.SetCost all = CostModel.SetCost.EMPTY;
        for (int b = 0; b < cm.n; b++) {
            all = cm.add(all, b);
        }
        int best = -1;
        double bestT = Double.POSITIVE_INFINITY;
        for (int d = 0; d < cm.k; d++) {
            if (cm.memory(d, all) <= cm.memBudget[d]) {
                double t = cm.latency(d, all, cm.totalBandwidth);
                if (t < bestT) {
                    bestT = t;
                    best = d;
                }
            }
        }
        if (best < 0) {
            throw new InfeasibleProblemException(List.of(new Violation(
                    "devices",
                    "no single device has the memory" + " to train all " + cm.n
                            + " blocks, which 'offload' requires")));
        }
        int[] assign = new int[cm.n];
        Arrays.fill(assign, best);
        double[] hz = new double[cm.k];
        hz[best] = cm.totalBandwidth;
        return new Outcome(assign, hz, bestT, 1);
    }

    /**
     * Random: a uniformly shuffled feasible assignment (seeded by the problem's seed), {@code B/K} each. One block
     * per device: a matching over shuffled blocks and devices (never misses a feasible assignment); several:
     * random devices with a free slot and the memory, retried, then the packing heuristic as a last resort.
     */
    static Outcome random(CostModel cm, Deadline deadline) {
        SplittableRandom rnd = new SplittableRandom(cm.seed);
        double[] hz = Joint.equalShares(cm);
        if (cm.maxBlocksPerDevice == 1) {
            Crunch.requireEnoughDevices(cm);
            int[] rows = shuffled(cm.n, rnd);
            int[] cols = shuffled(cm.k, rnd);
            int[] m = Matching.maximum(cm.n, cm.k, (r, c) -> cm.fits1(cols[c], rows[r]), deadline);
            if (m == null) {
                Crunch.requireAssignable(cm, deadline);
                throw new InfeasibleProblemException(List.of(new Violation("blocks", "no assignment fits")));
            }
            int[] assign = new int[cm.n];
            for (int r = 0; r < cm.n; r++) {
                assign[rows[r]] = cols[m[r]];
            }
            return new Outcome(assign, hz, Crunch.solve(cm, hz, deadline).latency(), 1);
        }
        int[] order = Packing.heaviestFirst(cm);
        int[] assign = null;
        int attempts = 0;
        while (assign == null && attempts < RANDOM_PACKING_ATTEMPTS) {
            attempts++;
            assign = randomPacking(cm, order, rnd, deadline);
        }
        if (assign == null) {
            assign = Packing.solve(cm, hz, deadline).blockToDevice();
        }
        return new Outcome(assign, hz, LowerBounds.singleBlock(cm, hz, deadline), attempts);
    }

    private static int[] randomPacking(CostModel cm, int[] order, SplittableRandom rnd, Deadline deadline) {
        CostModel.SetCost[] sets = new CostModel.SetCost[cm.k];
        Arrays.fill(sets, CostModel.SetCost.EMPTY);
        int[] count = new int[cm.k];
        int[] assign = new int[cm.n];
        int[] cand = new int[cm.k];
        for (int b : order) {
            deadline.check();
            int c = 0;
            for (int d = 0; d < cm.k; d++) {
                if (fits(cm, sets, count, d, b)) {
                    cand[c++] = d;
                }
            }
            if (c == 0) {
                return null;
            }
            int d = cand[rnd.nextInt(c)];
            sets[d] = cm.add(sets[d], b);
            count[d]++;
            assign[b] = d;
        }
        return assign;
    }

    private static int[] shuffled(int n, SplittableRandom rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** {@code 0..n-1} sorted by {@code cmp} (stable). */
    private static int[] sorted(int n, Comparator<Integer> cmp) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, cmp);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
