package io.loladeft.planning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * CRUNCH (Cutting, RecoUNting, CHecking): the exact solver of P1 with one block per device and given bandwidths.
 *
 * <p><b>Order.</b> Blocks are sorted by (depth, params) ascending, position 0 lightest. When the params are
 * non-decreasing along that order (always true for one block per layer of one kind) the blocks form a chain in
 * which a heavier block is deeper <i>and</i> no smaller; every device's latency and memory are then
 * non-decreasing along the chain (more layers to cross, more FLOPs, more bits, more activations), whatever the
 * device.
 *
 * <p><b>Cutting.</b> For a threshold {@code tau}, device {@code k} can take exactly the blocks up to its
 * <i>reach</i> {@code D_k(tau)}: the last chain position within both {@code tau} and its memory (a binary search,
 * since both are monotone); every pair beyond is cut. The sets are nested prefixes.
 * <b>Recounting.</b> {@code cover[j]} = number of devices whose reach is at least {@code j} (a counting sort of the
 * reaches and a suffix sum). <b>Checking.</b> Blocks {@code j..N-1} can only go to devices in {@code cover[j]};
 * for nested prefixes Hall's condition reduces to {@code cover[j] >= N - j} for every {@code j}, which is also
 * sufficient: reading off deepest block first, each to the still-free covering device of smallest reach, never
 * gets stuck (a device of larger reach is never needed by fewer blocks than a smaller one).
 *
 * <p><b>Search.</b> Feasibility is monotone in {@code tau} and the optimum is one of the pair latencies
 * {@code T_k(j)}. Per device those candidates are already sorted (the chain order), so instead of sorting all
 * {@code K*N} of them CRUNCH keeps, per device, the index window of candidates strictly between the best
 * infeasible and the best feasible threshold seen, picks a uniformly random remaining candidate (seeded, so runs
 * repeat), checks it and shrinks every window by binary search. Each check discards half of the remaining
 * candidates in expectation, so {@code O(log(KN))} checks of {@code O(K log N + N)} each: with the
 * {@code O(N log N)} block sort, {@code O(N log N + K log N log(KN))} time and {@code O(K + N)} memory, and the
 * answer is the exact optimum because only candidates proven infeasible or not better are ever discarded.
 *
 * <p><b>The head.</b> The task head's block (depth 0) is never on the chain: it crosses no layer but sends the most
 * bits. At a threshold it goes to the device that can take it and has the smallest reach, which then leaves the
 * chain; the cover check runs on the others. Exact, because removing device {@code h} lowers {@code cover[j]} only
 * for {@code j <= reach(h)}: the smallest reach lowers a subset of what any other choice would. The head's
 * latencies join the candidate thresholds as one more window.
 *
 * <p>If the encoder blocks do not form a chain (explicit blocks whose params shrink with depth), or there is more
 * than one block at depth 0, the nested structure is
 * lost; CRUNCH then falls back to the general exact bottleneck assignment: a bisection on the bit patterns of the
 * threshold (at most 64 steps, ending on the smallest feasible pair latency) with a bipartite matching test over
 * pairs computed when asked ({@code O(64 N KN)} time, {@code O(K + N)} memory).
 */
final class Crunch {

    private static final long SEARCH_SEED = 0x5EEDC0FFEEL;

    private Crunch() {}

    /** An assignment (block index to device index) and its round latency; {@code checks} threshold checks made. */
    record Result(int[] blockToDevice, double latency, int checks) {}

    /**
     * The chain order of the encoder blocks, or {@code null} when they do not form a chain. The task head's block
     * (depth 0: no layer to cross, but the largest upload) is never on the chain: it is cheap to compute and costly
     * to send, so it is comparable with no encoder block. A problem with one head block is solved as the chain plus
     * that block ({@link #headBlock}); with more than one, by the general method.
     */
    static int[] chainOrder(CostModel cm) {
        int heads = 0;
        for (int b = 0; b < cm.n; b++) {
            heads += cm.depth[b] == 0 ? 1 : 0;
        }
        if (heads > 1) {
            return null;
        }
        Integer[] idx = new Integer[cm.n - heads];
        for (int b = 0, i = 0; b < cm.n; b++) {
            if (cm.depth[b] > 0) {
                idx[i++] = b;
            }
        }
        Arrays.sort(
                idx,
                (x, y) -> cm.depth[x] != cm.depth[y]
                        ? Integer.compare(cm.depth[x], cm.depth[y])
                        : Long.compare(cm.params[x], cm.params[y]));
        int[] order = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            order[i] = idx[i];
            if (i > 0 && (cm.params[order[i]] < cm.params[order[i - 1]] || cm.grad[order[i]] < cm.grad[order[i - 1]])) {
                return null;
            }
        }
        return order;
    }

    /** The head's block (depth 0), or -1 when the problem has none. */
    static int headBlock(CostModel cm) {
        for (int b = 0; b < cm.n; b++) {
            if (cm.depth[b] == 0) {
                return b;
            }
        }
        return -1;
    }

    /**
     * Pair latencies along the chain at fixed bandwidths, {@code T_d(j) = compute + upload(bits of order[j], hz[d])}.
     * The upload's logarithm depends only on the block's bits, which repeat along the chain (every block of one
     * kind and size has the same), so each device remembers its last bits and upload seconds: the searches below
     * probe the same device many times, and the values are exactly those {@link CostModel#latency1} gives.
     */
    static final class Latencies {
        private final CostModel cm;
        private final double[] hz;
        private final int[] order;
        private final double[] lastBits;
        private final double[] lastUpload;

        Latencies(CostModel cm, double[] hz, int[] order) {
            this.cm = cm;
            this.hz = hz;
            this.order = order;
            this.lastBits = new double[cm.k];
            this.lastUpload = new double[cm.k];
            Arrays.fill(lastBits, Double.NaN);
        }

        /** Latency of device {@code d} training the block at chain position {@code j}, alone. */
        double at(int d, int j) {
            int blk = order[j];
            double bits = cm.bits[blk];
            double up;
            if (bits == lastBits[d]) {
                up = lastUpload[d];
            } else {
                up = cm.upload(d, bits, hz[d]);
                lastBits[d] = bits;
                lastUpload[d] = up;
            }
            return cm.compute1(d, blk) + up;
        }
    }

    /** Solves P1 exactly; throws {@link InfeasibleProblemException} naming the blocks no assignment can cover. */
    static Result solve(CostModel cm, double[] hz) {
        return solve(cm, hz, Deadline.NONE);
    }

    /** As {@link #solve(CostModel, double[])}, checking the deadline at every threshold check. */
    static Result solve(CostModel cm, double[] hz, Deadline deadline) {
        requireEnoughDevices(cm);
        int[] order = chainOrder(cm);
        return order != null ? solveChain(cm, hz, order, deadline) : solveGeneral(cm, hz, deadline);
    }

    /**
     * Throws {@link InfeasibleProblemException}, with the violations {@link #solve} would name, when no assignment
     * of one block per device fits the devices' memory; returns quietly otherwise. Bandwidth plays no part.
     */
    static void requireAssignable(CostModel cm, Deadline deadline) {
        requireEnoughDevices(cm);
        int[] order = chainOrder(cm);
        if (order != null) {
            requireMemoryCover(cm, order, memoryReach(cm, order), headBlock(cm));
            return;
        }
        for (int b = 0; b < cm.n; b++) {
            if (!fitsSomewhere(cm, b)) {
                throw new InfeasibleProblemException(List.of(cm.homeless(b)));
            }
        }
        if (Matching.maximum(cm.n, cm.k, (b, d) -> cm.fits1(d, b), deadline) == null) {
            throw noMatching();
        }
    }

    /** Throws when one block per device needs more devices than the fleet has. */
    static void requireEnoughDevices(CostModel cm) {
        if (cm.k < cm.n) {
            throw new InfeasibleProblemException(List.of(new Violation(
                    "devices",
                    cm.n + " blocks need "
                            + cm.n + " devices with maxBlocksPerDevice=1, but the fleet has " + cm.k
                            + "; add devices or raise maxBlocksPerDevice")));
        }
    }

    private static boolean fitsSomewhere(CostModel cm, int b) {
        for (int d = 0; d < cm.k; d++) {
            if (cm.fits1(d, b)) {
                return true;
            }
        }
        return false;
    }

    /** Cutting by memory: each device's last chain position within its memory, a binary search (memory grows along the chain). */
    private static int[] memoryReach(CostModel cm, int[] order) {
        int[] memReach = new int[cm.k];
        for (int d = 0; d < cm.k; d++) {
            int lo = 0;
            int hi = order.length - 1;
            int r = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (cm.fits1(d, order[mid])) {
                    r = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            memReach[d] = r;
        }
        return memReach;
    }

    private static void requireMemoryCover(CostModel cm, int[] order, int[] memReach, int head) {
        int[] reach = memReach.clone();
        if (head >= 0) {
            boolean[] fits = new boolean[cm.k];
            for (int d = 0; d < cm.k; d++) {
                fits[d] = cm.fits1(d, head);
            }
            if (takeHead(reach, fits) < 0) {
                throw new InfeasibleProblemException(List.of(cm.homeless(head)));
            }
        }
        int[] cover = new int[order.length + 1];
        int bad = check(reach, order.length, cover);
        if (bad >= 0) {
            throw infeasible(cm, order, bad, cover[bad], head >= 0);
        }
    }

    /**
     * Gives the head's block to the device that can take it ({@code can}) and reaches least far along the chain,
     * and takes that device off the chain ({@code reach} set to -1); returns it, or -1 when no device can. Exact:
     * taking device {@code h} off lowers {@code cover[j]} for {@code j <= reach[h]} only, so the device of smallest
     * reach lowers a subset of what any other would, and if any choice leaves the chain coverable, this one does.
     */
    static int takeHead(int[] reach, boolean[] can) {
        int h = -1;
        for (int d = 0; d < reach.length; d++) {
            if (can[d] && (h < 0 || reach[d] < reach[h])) {
                h = d;
            }
        }
        if (h >= 0) {
            reach[h] = -1;
        }
        return h;
    }

    private static InfeasibleProblemException noMatching() {
        return new InfeasibleProblemException(List.of(
                new Violation("blocks", "no assignment of one block per" + " device fits every device's memory")));
    }

    private static Result solveChain(CostModel cm, double[] hz, int[] order, Deadline deadline) {
        int n = order.length;
        int k = cm.k;
        int head = headBlock(cm);
        int[] memReach = memoryReach(cm, order);
        requireMemoryCover(cm, order, memReach, head);
        int[] cover = new int[n + 1];
        // Search over the candidate latencies, per device the window lo[d]..hi[d] of chain positions, and the head's
        // latencies on the devices with the memory for it (ascending) in the window hlo..hhi.
        int[] lo = new int[k];
        int[] hi = memReach.clone();
        double[] headLat = new double[k];
        double[] headCand = headCandidates(cm, hz, head, headLat);
        int hlo = 0;
        int hhi = headCand.length - 1;
        int[] reach = new int[k];
        boolean[] can = new boolean[k];
        double tauFeasible = Double.POSITIVE_INFINITY;
        double tauInfeasible = Double.NEGATIVE_INFINITY;
        SplittableRandom rnd = new SplittableRandom(SEARCH_SEED);
        Latencies lat = new Latencies(cm, hz, order);
        int checks = 1;
        while (true) {
            deadline.check();
            long total = Math.max(0, hhi - hlo + 1);
            for (int d = 0; d < k; d++) {
                if (hi[d] >= lo[d]) {
                    total += hi[d] - lo[d] + 1;
                }
            }
            if (total == 0) {
                break;
            }
            long pick = rnd.nextLong(total);
            double tau = Double.NaN;
            for (int d = 0; d < k && Double.isNaN(tau); d++) {
                if (hi[d] >= lo[d]) {
                    long w = hi[d] - lo[d] + 1;
                    if (pick < w) {
                        tau = lat.at(d, lo[d] + (int) pick);
                    }
                    pick -= w;
                }
            }
            if (Double.isNaN(tau)) {
                tau = headCand[hlo + (int) pick];
            }
            checks++;
            if (feasibleAt(cm, lat, memReach, head, headLat, tau, reach, can, cover) >= -1) {
                tauFeasible = tau;
            } else {
                tauInfeasible = tau;
            }
            for (int d = 0; d < k; d++) {
                if (hi[d] < lo[d]) {
                    continue;
                }
                lo[d] = firstAbove(lat, d, lo[d], hi[d], tauInfeasible);
                hi[d] = lastBelow(lat, d, lo[d], hi[d], tauFeasible);
            }
            while (hlo <= hhi && headCand[hlo] <= tauInfeasible) {
                hlo++;
            }
            while (hhi >= hlo && headCand[hhi] >= tauFeasible) {
                hhi--;
            }
        }
        int h = feasibleAt(cm, lat, memReach, head, headLat, tauFeasible, reach, can, cover);
        int[] assign = readOff(reach, order, n, k, cm.n);
        if (head >= 0) {
            assign[head] = h;
        }
        return new Result(assign, tauFeasible, checks);
    }

    /** The head's latency on each device ({@code +infinity} where it does not fit), and the finite ones ascending. */
    private static double[] headCandidates(CostModel cm, double[] hz, int head, double[] headLat) {
        if (head < 0) {
            return new double[0];
        }
        double[] cand = new double[cm.k];
        int c = 0;
        for (int d = 0; d < cm.k; d++) {
            headLat[d] = cm.fits1(d, head) ? cm.latency1(d, head, hz[d]) : Double.POSITIVE_INFINITY;
            if (headLat[d] < Double.POSITIVE_INFINITY) {
                cand[c++] = headLat[d];
            }
        }
        double[] out = Arrays.copyOf(cand, c);
        Arrays.sort(out);
        return out;
    }

    /**
     * Whether every block can finish within {@code tau}: the devices' reaches along the chain, the head's block (if
     * any) to a device that can take it ({@link #takeHead}), then the cover check. Returns the head's device (-1
     * without a head) when feasible, else -2; {@code reach} is left as the read-off needs it.
     */
    private static int feasibleAt(
            CostModel cm,
            Latencies lat,
            int[] memReach,
            int head,
            double[] headLat,
            double tau,
            int[] reach,
            boolean[] can,
            int[] cover) {
        reaches(cm, lat, memReach, tau, reach);
        int h = -1;
        if (head >= 0) {
            for (int d = 0; d < cm.k; d++) {
                can[d] = headLat[d] <= tau;
            }
            h = takeHead(reach, can);
            if (h < 0) {
                return -2;
            }
        }
        return check(reach, cover.length - 1, cover) < 0 ? h : -2;
    }

    /** Reach of every device at {@code tau}: last chain position within {@code tau} and memory, or -1. */
    static void reaches(CostModel cm, Latencies lat, int[] memReach, double tau, int[] out) {
        for (int d = 0; d < cm.k; d++) {
            int lo = 0;
            int hi = memReach[d];
            int r = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (lat.at(d, mid) <= tau) {
                    r = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            out[d] = r;
        }
    }

    /**
     * Recounting and checking: {@code cover[j]} devices reach position {@code j} or beyond; returns -1 when
     * {@code cover[j] >= n - j} for all {@code j}, else the heaviest position that fails.
     */
    static int check(int[] reach, int n, int[] cover) {
        Arrays.fill(cover, 0);
        for (int r : reach) {
            if (r >= 0) {
                cover[r]++;
            }
        }
        for (int j = n - 1; j >= 0; j--) {
            cover[j] += cover[j + 1];
            if (cover[j] < n - j) {
                return j;
            }
        }
        return -1;
    }

    /** Deepest block first, each to the free covering device of smallest reach (a stack of devices by reach). */
    private static int[] readOff(int[] reach, int[] order, int n, int k, int blocks) {
        // Bucket devices by reach, then push them as the position descends: the top has the smallest reach.
        int[] head = new int[n];
        Arrays.fill(head, -1);
        int[] next = new int[k];
        for (int d = k - 1; d >= 0; d--) {
            if (reach[d] >= 0) {
                next[d] = head[reach[d]];
                head[reach[d]] = d;
            }
        }
        int[] stack = new int[k];
        int top = 0;
        int[] assign = new int[blocks];
        for (int j = n - 1; j >= 0; j--) {
            for (int d = head[j]; d >= 0; d = next[d]) {
                stack[top++] = d;
            }
            assign[order[j]] = stack[--top];
        }
        return assign;
    }

    private static int firstAbove(Latencies lat, int d, int lo, int hi, double tau) {
        int l = lo;
        int h = hi + 1;
        while (l < h) {
            int mid = (l + h) >>> 1;
            if (lat.at(d, mid) > tau) {
                h = mid;
            } else {
                l = mid + 1;
            }
        }
        return l;
    }

    private static int lastBelow(Latencies lat, int d, int lo, int hi, double tau) {
        int l = lo - 1;
        int h = hi;
        while (l < h) {
            int mid = (l + h + 1) >>> 1;
            if (lat.at(d, mid) < tau) {
                l = mid;
            } else {
                h = mid - 1;
            }
        }
        return l;
    }

    private static InfeasibleProblemException infeasible(
            CostModel cm, int[] order, int bad, int covered, boolean head) {
        int blk = order[bad];
        int need = order.length - bad;
        List<Violation> v = new ArrayList<>();
        if (covered == 0 && bad == order.length - 1 && !head) {
            v.add(cm.homeless(blk));
        } else {
            v.add(new Violation(
                    "block layer " + (cm.layers - cm.depth[blk] + 1),
                    need + " blocks of depth >= "
                            + cm.depth[blk] + " need one device each, but only " + covered
                            + " device(s) have the memory for them"
                            + (head ? " besides the one that trains the task" + " head's block" : "")));
        }
        return new InfeasibleProblemException(v);
    }

    // ---- general bottleneck assignment (blocks not a chain) ----

    private static Result solveGeneral(CostModel cm, double[] hz, Deadline deadline) {
        int n = cm.n;
        int k = cm.k;
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int b = 0; b < n; b++) {
            deadline.check();
            boolean any = false;
            for (int d = 0; d < k; d++) {
                if (cm.fits1(d, b)) {
                    double t = cm.latency1(d, b, hz[d]);
                    min = Math.min(min, t);
                    max = Math.max(max, t);
                    any = true;
                }
            }
            if (!any) {
                throw new InfeasibleProblemException(List.of(cm.homeless(b)));
            }
        }
        int[] best = Matching.maximum(n, k, within(cm, hz, max), deadline);
        if (best == null) {
            throw noMatching();
        }
        // Bisection on the bit patterns of the (positive) threshold, whose order is the order of the values: it ends
        // on the smallest feasible double, which is a pair latency (feasibility only changes there), so exact.
        long lo = Double.doubleToLongBits(min);
        long hi = Double.doubleToLongBits(max);
        int checks = 1;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            int[] mm = Matching.maximum(n, k, within(cm, hz, Double.longBitsToDouble(mid)), deadline);
            checks++;
            if (mm != null) {
                hi = mid;
                best = mm;
            } else {
                lo = mid + 1;
            }
        }
        return new Result(best, Double.longBitsToDouble(hi), checks);
    }

    /** The pairs within memory and threshold, computed when asked (no {@code K x N} matrix). */
    private static Matching.Pairs within(CostModel cm, double[] hz, double tau) {
        return (b, d) -> cm.fits1(d, b) && cm.latency1(d, b, hz[d]) <= tau;
    }
}
