package io.loladeft.planning;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded random planning problems for the property tests, small enough for exhaustive oracles. */
final class Instances {

    private Instances() {}

    /** Knobs of a random instance. */
    record Shape(int maxDevices, int maxBlocks, int maxBlocksPerDevice, boolean chain) {}

    static PlanningProblem random(long seed, Shape shape) {
        SplittableRandom r = new SplittableRandom(seed);
        ModelSpec model = r.nextInt(4) == 0
                ? new ModelSpec(RobertaShape.ROBERTA_BASE, BlockSpec.adapter(1 + r.nextInt(64)), 2, 4)
                : new ModelSpec(RobertaShape.ROBERTA_BASE, BlockSpec.lora(1 + r.nextInt(16), 16), 4, 4);
        int layers = model.shape().layers();
        int m = 1 + r.nextInt(shape.maxBlocksPerDevice());
        int k = 1 + r.nextInt(shape.maxDevices());
        int maxN = m == 1 ? Math.min(k, shape.maxBlocks()) : Math.min(k * m, shape.maxBlocks());
        int n = 1 + r.nextInt(maxN);
        List<Block> blocks = new ArrayList<>();
        boolean[] used = new boolean[layers + 1];
        long base = model.blockParams();
        for (int i = 0; i < n; i++) {
            int layer;
            if (r.nextInt(5) == 0 && i > 0) {
                layer = blocks.get(r.nextInt(i)).layer();
            } else {
                do {
                    layer = 1 + r.nextInt(layers);
                } while (used[layer] && countUsed(used) < layers);
            }
            used[layer] = true;
            long params = base;
            if (!shape.chain()) {
                // Params shrinking with depth for some layers: the blocks no longer form a chain.
                params = base / 4 + (long) layer * (base / 3);
            }
            final int fl = layer;
            long existing = blocks.stream()
                    .filter(b -> b.layer() == fl)
                    .mapToLong(Block::params)
                    .findFirst()
                    .orElse(params);
            blocks.add(new Block(layer, existing));
        }
        if (r.nextBoolean()) {
            // The task head (depth 0, larger than the encoder blocks, lighter gradient): never on the chain, which
            // CRUNCH solves as the chain plus the head's block when the encoder blocks form one.
            blocks.set(n - 1, new Block(model.headLayer(), model.headParams()));
        }
        Training t = new Training(
                1 + r.nextInt(32), 32 + r.nextInt(224), 1 + r.nextInt(3), 1 + r.nextInt(5), r.nextBoolean() ? 32 : 16);
        PlanningProblem probe = new PlanningProblem(
                List.of(Device.of("probe", 1e12, 1e12, 20, -100)), model, blocks, t, 1e6, -174, m, seed);
        CostModel cm = new CostModel(probe);
        double minNeed = Double.POSITIVE_INFINITY;
        double maxNeed = 0;
        for (int b = 0; b < n; b++) {
            minNeed = Math.min(minNeed, cm.memory1(0, b));
            maxNeed = Math.max(maxNeed, cm.memory1(0, b));
        }
        boolean tight = r.nextInt(3) > 0;
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            double flops = Math.pow(10, 12 + 2 * r.nextDouble());
            double mem = tight
                    ? minNeed * 0.95 + r.nextDouble() * (maxNeed * m * 1.1 - minNeed * 0.95)
                    : maxNeed * m * (2 + r.nextDouble());
            double tx = 10 + 20 * r.nextDouble();
            double gain = -(80 + 50 * r.nextDouble());
            Device d = Device.of("dev-" + i, flops, mem, tx, gain);
            if (r.nextInt(4) == 0) {
                double[] cs = new double[layers];
                double[] ms = new double[layers];
                double c = 0.01 + r.nextDouble() * 0.5;
                double mm = minNeed * (0.5 + r.nextDouble());
                double slope = r.nextDouble() * 0.05;
                double mslope = (maxNeed - minNeed) / Math.max(1, layers) * (0.5 + r.nextDouble());
                for (int j = 0; j < layers; j++) {
                    c += r.nextInt(4) == 0 ? 0 : r.nextDouble() * slope;
                    mm += r.nextDouble() * mslope;
                    cs[j] = c;
                    ms[j] = mm;
                }
                d = d.withProfile(new DeviceProfile(cs, ms));
            }
            devices.add(d);
        }
        double bw = Math.pow(10, 5 + 3 * r.nextDouble());
        return new PlanningProblem(devices, model, blocks, t, bw, -174 + 10 * r.nextDouble(), m, seed);
    }

    private static int countUsed(boolean[] used) {
        int c = 0;
        for (boolean u : used) {
            if (u) {
                c++;
            }
        }
        return c;
    }

    /** A readable fleet: {@code k} devices spread between weak and strong, decent channels. */
    static List<Device> fleet(int k, long seed, double memoryBytes) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Device> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add(Device.of(
                    "d" + i,
                    (5 + 45 * r.nextDouble()) * 1e12,
                    memoryBytes * (0.6 + 0.8 * r.nextDouble()),
                    20 + 3 * r.nextDouble(),
                    -(100 + 30 * r.nextDouble())));
        }
        return out;
    }
}
