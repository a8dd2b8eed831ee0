package io.loladeft.planning;

import java.util.List;
import java.util.Locale;

/**
 * The costs of the model (docs/planning.md, "Costs"), precomputed for one validated problem.
 *
 * <p>Analytic costs, for {@code b*s} tokens per iteration:
 * <pre>
 *   F_layer = 2*b*s*(4*h^2 + 2*h*i) + 4*b*s^2*h          forward FLOPs of one encoder layer
 *   F_head  = 2*b*(h^2 + 2*h)                             classifier head on the first token (dense + 2-way out)
 *   F_fwd   = L*F_layer + F_head
 *   G_n     = 2*b*s*P_n (encoder block), 2*b*P_n (the head: first token only)   weight-gradient FLOPs
 *   T_cmp(k, A) = E * (F_fwd + F_head + dmax(A)*F_layer + sum_{n in A} G_n) / f_k
 *   A_layer = b*s*(7*h + i + 3*a*s) * bytesPerWeight       activation bytes one crossed layer keeps for backward
 *   A_work  = b*s*(17*h + i + 3*a*s) * bytesPerWeight      one layer's forward intermediates (transient, once)
 *   Mem(k, A)   = W_backbone + A_work + dmax(A)*A_layer + sum_{n in A} 4*P_n*bytesPerTrainable
 * </pre>
 * {@code dmax(A)} is the deepest depth in {@code A}: 0 when {@code A} is the head alone (its backward crosses no
 * encoder layer). A measured profile replaces {@code T_cmp} and {@code Mem} by its tables at {@code dmax(A)}; every
 * block of {@code A} except one deepest block (the largest of the deepest, which the table already covers) adds its
 * weight-gradient FLOPs {@code E*G_n / f_k} and its state {@code 4*P_n*bytesPerTrainable}. The tables start at depth
 * 1, so the head alone is charged the depth-1 entry plus its own gradient and state: an upper bound (training the
 * top layer's block does all a head-only iteration does and more).
 */
final class CostModel {

    static final int STATE_COPIES = 4;

    final int k;
    final int n;
    final int layers;
    final Device[] devices;
    final double[] flops;
    final double[] memBudget;
    final double[] gamma;
    final double[][] profileCompute;
    final double[][] profileMemory;
    final int[] depth;
    final long[] params;
    final double[] grad;
    final double[] bits;
    final double totalBandwidth;
    final int maxBlocksPerDevice;
    final int rounds;
    final long seed;

    private final double iterations;
    private final double fLayer;
    private final double fFixed;
    private final double wgradPerParam;
    private final double backboneBytes;
    private final double activationPerLayer;
    private final double workspace;
    private final double statePerParam;

    private final PlanningProblem problem;

    CostModel(PlanningProblem p) {
        this.problem = p;
        this.k = p.devices().size();
        this.n = p.blocks().size();
        RobertaShape shape = p.model().shape();
        this.layers = shape.layers();
        this.devices = p.devices().toArray(new Device[0]);
        this.flops = new double[k];
        this.memBudget = new double[k];
        this.gamma = new double[k];
        this.profileCompute = new double[k][];
        this.profileMemory = new double[k][];
        for (int j = 0; j < k; j++) {
            Device d = devices[j];
            flops[j] = d.computeFlops();
            memBudget[j] = d.memoryBytes();
            gamma[j] = Uplink.gamma(d.txPowerDbm(), d.channelGainDb(), p.noisePsdDbmPerHz());
            if (d.profile() != null) {
                profileCompute[j] = d.profile().computeSeconds();
                profileMemory[j] = d.profile().memoryBytes();
            }
        }
        List<Block> bl = p.blocks();
        this.depth = new int[n];
        this.params = new long[n];
        this.grad = new double[n];
        this.bits = new double[n];
        Training t = p.training();
        for (int i = 0; i < n; i++) {
            depth[i] = bl.get(i).depth(layers);
            params[i] = bl.get(i).params();
            grad[i] = p.model()
                    .weightGradientFlops(t.batchSize(), t.seqLen(), bl.get(i).layer(), params[i]);
            bits[i] = (double) t.bitsPerParam() * params[i];
        }
        this.totalBandwidth = p.bandwidthHz();
        this.maxBlocksPerDevice = p.maxBlocksPerDevice();
        this.rounds = t.rounds();
        this.seed = p.seed();

        double b = t.batchSize();
        double s = t.seqLen();
        this.iterations = t.localIterations();
        this.fLayer = p.model().layerFlops(b, s);
        this.fFixed = p.model().fixedFlops(b, s);
        this.wgradPerParam = p.model().weightGradientFlopsPerParam(b, s);
        this.backboneBytes = p.model().backboneBytes();
        this.activationPerLayer = p.model().activationBytesPerLayer(b, s);
        this.workspace = p.model().workspaceBytes(b, s);
        this.statePerParam = (double) STATE_COPIES * p.model().bytesPerTrainable();
    }

    /** The same problem with another {@code maxBlocksPerDevice}. */
    CostModel withMaxBlocksPerDevice(int m) {
        return new CostModel(problem.withMaxBlocksPerDevice(m));
    }

    boolean hasProfile(int dev) {
        return profileCompute[dev] != null;
    }

    /**
     * Compute seconds of device {@code dev} training blocks of deepest depth {@code dmax} whose weight gradients take
     * {@code grads} FLOPs in all, {@code deepestP} params in the largest deepest block.
     */
    double computeSeconds(int dev, int dmax, double grads, double deepestP) {
        if (hasProfile(dev)) {
            // The table at depth dmax includes one deepest (encoder) block's gradient; depth 0 has no table entry.
            double covered = dmax == 0 ? 0 : wgradPerParam * deepestP;
            return iterations * (profileCompute[dev][Math.max(dmax, 1) - 1] + (grads - covered) / flops[dev]);
        }
        return iterations * (fFixed + dmax * fLayer + grads) / flops[dev];
    }

    /** Peak bytes of device {@code dev} training blocks of deepest depth {@code dmax}, {@code sumP} params in all. */
    double memoryBytes(int dev, int dmax, double sumP, double deepestP) {
        if (hasProfile(dev)) {
            double covered = dmax == 0 ? 0 : deepestP;
            return profileMemory[dev][Math.max(dmax, 1) - 1] + statePerParam * (sumP - covered);
        }
        return backboneBytes + workspace + dmax * activationPerLayer + statePerParam * sumP;
    }

    /** Compute seconds of one block alone. */
    double compute1(int dev, int blk) {
        return computeSeconds(dev, depth[blk], grad[blk], params[blk]);
    }

    /** Peak bytes of one block alone. */
    double memory1(int dev, int blk) {
        return memoryBytes(dev, depth[blk], params[blk], params[blk]);
    }

    boolean fits1(int dev, int blk) {
        return memory1(dev, blk) <= memBudget[dev];
    }

    /**
     * Why block {@code blk} fits no device: what it needs against the device that comes closest,
     * so the user sees which budget to raise (or which block to shrink).
     */
    Violation homeless(int blk) {
        int closest = 0;
        for (int d = 1; d < k; d++) {
            if (memory1(d, blk) - memBudget[d] < memory1(closest, blk) - memBudget[closest]) {
                closest = d;
            }
        }
        return new Violation(
                "block layer " + (layers - depth[blk] + 1),
                String.format(
                        Locale.ROOT,
                        "no device has the memory to train this block (depth %d): the closest, device '%s', needs %.4g bytes"
                                + " but its budget is %.4g",
                        depth[blk],
                        devices[closest].name(),
                        memory1(closest, blk),
                        memBudget[closest]));
    }

    /** Upload seconds of {@code bitsTotal} at bandwidth {@code hz}. */
    double upload(int dev, double bitsTotal, double hz) {
        return Uplink.uploadSeconds(bitsTotal, hz, gamma[dev]);
    }

    /** Latency of one block alone at bandwidth {@code hz}. */
    double latency1(int dev, int blk, double hz) {
        return compute1(dev, blk) + upload(dev, bits[blk], hz);
    }

    /** Bits per parameter, {@code q}. */
    double bitsPerParam() {
        return n == 0 ? 0 : bits[0] / params[0];
    }

    /**
     * Aggregates of a set of blocks: deepest depth (0 for the head alone, -1 for no block), parameter sum, params of
     * the largest deepest block, weight-gradient FLOPs, bits.
     */
    record SetCost(int dmax, double sumP, double deepestP, double grads, double bits) {
        static final SetCost EMPTY = new SetCost(-1, 0, 0, 0, 0);

        boolean isEmpty() {
            return dmax < 0;
        }

        SetCost plus(int d, double p, double g, double b) {
            if (d > dmax) {
                return new SetCost(d, sumP + p, p, grads + g, bits + b);
            }
            if (d == dmax) {
                return new SetCost(d, sumP + p, Math.max(deepestP, p), grads + g, bits + b);
            }
            return new SetCost(dmax, sumP + p, deepestP, grads + g, bits + b);
        }
    }

    SetCost add(SetCost set, int blk) {
        return set.plus(depth[blk], params[blk], grad[blk], bits[blk]);
    }

    double compute(int dev, SetCost set) {
        return set.isEmpty() ? 0 : computeSeconds(dev, set.dmax, set.grads, set.deepestP);
    }

    double memory(int dev, SetCost set) {
        return set.isEmpty() ? 0 : memoryBytes(dev, set.dmax, set.sumP, set.deepestP);
    }

    double latency(int dev, SetCost set, double hz) {
        return set.isEmpty() ? 0 : compute(dev, set) + upload(dev, set.bits, hz);
    }
}
