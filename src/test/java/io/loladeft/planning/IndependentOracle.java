package io.loladeft.planning;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The yardstick of the property tests: the model of shared/spec/planning-model.md transcribed again, from the
 * public records only ({@link PlanningProblem}, {@link Device}, {@link Block}, ...), sharing no code with the
 * solvers (no {@code CostModel}, {@code Uplink}, {@code BandwidthSplit}, {@code Joint}). Deliberately plain and slow:
 * <ul>
 *   <li>rate {@code R(B) = B log2(1 + p g / (N0 B))}, with {@code log1p};</li>
 *   <li>latency = compute + bits / rate; compute and memory from the spec's FLOP and byte counts, or a profile;
 *       the task head is the block at layer {@code L + 1}: its backward crosses no encoder layer (depth 0) and its
 *       weight gradient sees one token per sequence ({@code 2 b P}, against {@code 2 b s P} for encoder blocks);
 *       a profile, which starts at depth 1, charges the head alone its depth-1 entry plus the head's own costs;</li>
 *   <li>the least bandwidth reaching a rate by bisection on {@code B} over {@code [0, budget]};</li>
 *   <li>the min-max split of a fixed assignment by bisection on {@code T};</li>
 *   <li>P1 and P2 optima by enumerating every assignment (pruned only by memory, slots and the plain fact that a
 *       device cannot finish before it would with the whole band).</li>
 * </ul>
 * Its P2 value is the feasible end of the {@code T} bisection: an achievable latency at most {@code 1e-12}
 * relative above the optimum of that assignment.
 */
final class IndependentOracle {

    private final int k;
    private final int n;
    private final int layers;
    private final int maxPerDevice;
    private final double budget;
    private final double[] flops;
    private final double[] mem;
    private final double[] gamma;
    private final double[][] profSeconds;
    private final double[][] profBytes;
    private final int[] depth;
    private final double[] params;
    private final double[] gradFlops;
    private final double bitsPerParam;
    private final double iters;
    private final double fLayer;
    private final double fHead;
    private final double tokens;
    private final double actPerLayer;
    private final double backbone;
    private final double statePerParam;

    IndependentOracle(PlanningProblem p) {
        List<Device> ds = p.devices();
        k = ds.size();
        n = p.blocks().size();
        RobertaShape m = p.model().shape();
        layers = m.layers();
        maxPerDevice = p.maxBlocksPerDevice();
        budget = p.bandwidthHz();
        double noiseW = Math.pow(10, (p.noisePsdDbmPerHz() - 30) / 10);
        flops = new double[k];
        mem = new double[k];
        gamma = new double[k];
        profSeconds = new double[k][];
        profBytes = new double[k][];
        for (int i = 0; i < k; i++) {
            Device d = ds.get(i);
            flops[i] = d.computeFlops();
            mem[i] = d.memoryBytes();
            gamma[i] = Math.pow(10, (d.txPowerDbm() - 30) / 10) * Math.pow(10, d.channelGainDb() / 10) / noiseW;
            if (d.profile() != null) {
                profSeconds[i] = d.profile().computeSeconds();
                profBytes[i] = d.profile().memoryBytes();
            }
        }
        Training t = p.training();
        depth = new int[n];
        params = new double[n];
        gradFlops = new double[n];
        for (int b = 0; b < n; b++) {
            boolean head = p.blocks().get(b).layer() == layers + 1;
            depth[b] = head ? 0 : layers - p.blocks().get(b).layer() + 1;
            params[b] = p.blocks().get(b).params();
            // dW of a linear layer: 2 FLOPs per weight per token it is applied to
            gradFlops[b] = 2.0 * t.batchSize() * (head ? 1 : t.seqLen()) * params[b];
        }
        bitsPerParam = t.bitsPerParam();
        iters = t.localIterations();
        double bs = t.batchSize();
        double s = t.seqLen();
        double h = m.hidden();
        tokens = bs * s;
        fLayer = 2 * bs * s * (4 * h * h + 2 * h * m.intermediate()) + 4 * bs * s * s * h;
        fHead = 2 * bs * (h * h + 2 * h);
        actPerLayer = bs
                * s
                * (7 * h + m.intermediate() + 3.0 * m.heads() * s)
                * p.model().bytesPerWeight();
        // the backbone and one layer's transient forward intermediates (A_work), whatever the depth
        backbone = p.model().backboneBytes()
                + bs
                        * s
                        * (17 * h + m.intermediate() + 3.0 * m.heads() * s)
                        * p.model().bytesPerWeight();
        statePerParam = 4.0 * p.model().bytesPerTrainable();
    }

    // ---- the model ----

    double rate(int d, double hz) {
        if (!(hz > 0)) {
            return 0;
        }
        double x = gamma[d] / hz;
        double ln = Double.isInfinite(x) ? Math.log(gamma[d]) - Math.log(hz) : Math.log1p(x);
        return hz * ln / Math.log(2);
    }

    /** Compute seconds and bytes of device {@code d} training the blocks with {@code mask[b]}. */
    double[] cost(int d, boolean[] mask) {
        int dmax = -1;
        double sum = 0;
        double grads = 0;
        double deepest = 0;
        for (int b = 0; b < n; b++) {
            if (!mask[b]) {
                continue;
            }
            sum += params[b];
            grads += gradFlops[b];
            if (depth[b] > dmax) {
                dmax = depth[b];
                deepest = params[b];
            } else if (depth[b] == dmax && params[b] > deepest) {
                deepest = params[b];
            }
        }
        if (dmax < 0) {
            return new double[] {0, 0, 0};
        }
        double sec;
        double bytes;
        if (profSeconds[d] != null) {
            if (dmax == 0) {
                sec = iters * (profSeconds[d][0] + grads / flops[d]);
                bytes = profBytes[d][0] + statePerParam * sum;
            } else {
                sec = iters * (profSeconds[d][dmax - 1] + (grads - 2 * tokens * deepest) / flops[d]);
                bytes = profBytes[d][dmax - 1] + statePerParam * (sum - deepest);
            }
        } else {
            sec = iters * ((layers * fLayer + fHead) + fHead + dmax * fLayer + grads) / flops[d];
            bytes = backbone + dmax * actPerLayer + statePerParam * sum;
        }
        return new double[] {sec, bytes, bitsPerParam * sum};
    }

    /** Least bandwidth in {@code [0, budget]} with rate at least {@code r}; +infinity if even the budget is short. */
    double need(int d, double r) {
        if (rate(d, budget) < r) {
            return Double.POSITIVE_INFINITY;
        }
        double lo = 0;
        double hi = budget;
        for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (rate(d, mid) >= r) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** Min-max latency of an assignment (block to device), by bisection on {@code T}; +infinity if infeasible. */
    double split(int[] assign) {
        boolean[][] masks = new boolean[k][n];
        for (int b = 0; b < n; b++) {
            masks[assign[b]][b] = true;
        }
        int used = 0;
        double[] c = new double[k];
        double[] bits = new double[k];
        boolean[] inv = new boolean[k];
        for (int d = 0; d < k; d++) {
            double[] cb = cost(d, masks[d]);
            if (cb[2] > 0) {
                if (cb[1] > mem[d]) {
                    return Double.POSITIVE_INFINITY;
                }
                inv[d] = true;
                used++;
                c[d] = cb[0];
                bits[d] = cb[2];
            }
        }
        double lo = 0;
        double hi = 0;
        for (int d = 0; d < k; d++) {
            if (inv[d]) {
                lo = Math.max(lo, c[d] + bits[d] / rate(d, budget));
                hi = Math.max(hi, c[d] + bits[d] / rate(d, budget / used));
            }
        }
        if (!(hi < Double.POSITIVE_INFINITY)) {
            return Double.POSITIVE_INFINITY;
        }
        if (fits(c, bits, inv, lo)) {
            return lo;
        }
        for (int it = 0; it < 400 && hi - lo > 1e-13 * hi; it++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (fits(c, bits, inv, mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private boolean fits(double[] c, double[] bits, boolean[] inv, double t) {
        double sum = 0;
        for (int d = 0; d < k; d++) {
            if (inv[d]) {
                if (!(t > c[d])) {
                    return false;
                }
                sum += need(d, bits[d] / (t - c[d]));
                if (sum > budget) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Round latency of an assignment at fixed bandwidths; +infinity if memory is exceeded. */
    double latencyAt(int[] assign, double[] hz) {
        boolean[][] masks = new boolean[k][n];
        for (int b = 0; b < n; b++) {
            masks[assign[b]][b] = true;
        }
        double t = 0;
        for (int d = 0; d < k; d++) {
            double[] cb = cost(d, masks[d]);
            if (cb[2] > 0) {
                if (cb[1] > mem[d]) {
                    return Double.POSITIVE_INFINITY;
                }
                t = Math.max(t, cb[0] + cb[2] / rate(d, hz[d]));
            }
        }
        return t;
    }

    // ---- exhaustive optima ----

    /** Optimum of P2 over every assignment within slots and memory; +infinity when none exists. */
    double p2() {
        double[] best = {Double.POSITIVE_INFINITY};
        enumerate(new int[n], new int[k], 0, a -> {
            if (wholeBand(a) < best[0]) {
                best[0] = Math.min(best[0], split(a));
            }
        });
        return best[0];
    }

    /** Optimum of P1 at fixed bandwidths. */
    double p1(double[] hz) {
        double[] best = {Double.POSITIVE_INFINITY};
        enumerate(new int[n], new int[k], 0, a -> best[0] = Math.min(best[0], latencyAt(a, hz)));
        return best[0];
    }

    /** The latency no split can beat: every involved device with the whole band. */
    private double wholeBand(int[] assign) {
        double[] hz = new double[k];
        Arrays.fill(hz, budget);
        return latencyAt(assign, hz);
    }

    private void enumerate(int[] assign, int[] count, int b, Consumer<int[]> leaf) {
        if (b == n) {
            leaf.accept(assign);
            return;
        }
        for (int d = 0; d < k; d++) {
            if (count[d] < maxPerDevice) {
                count[d]++;
                assign[b] = d;
                enumerate(assign, count, b + 1, leaf);
                count[d]--;
            }
        }
    }
}
