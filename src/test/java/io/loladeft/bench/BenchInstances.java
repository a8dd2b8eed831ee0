package io.loladeft.bench;

import io.loladeft.planning.Block;
import io.loladeft.planning.BlockSpec;
import io.loladeft.planning.Device;
import io.loladeft.planning.ModelSpec;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.RobertaShape;
import io.loladeft.planning.Training;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The benchmark and figure instances, documented in docs/planning.md: RoBERTa-large with LoRA rank 8 (fp32),
 * batch 16, sequence 128, E = 1, q = 32; devices with 5-50 TFLOP/s, 20-23 dBm, path loss 100-130 dB and
 * 0.6-1.4 times a memory budget; -174 dBm/Hz noise; seeded.
 */
public final class BenchInstances {

    public static final ModelSpec LARGE_LORA = new ModelSpec(RobertaShape.ROBERTA_LARGE, BlockSpec.lora(8, 16), 4, 4);
    public static final ModelSpec BASE_LORA = new ModelSpec(RobertaShape.ROBERTA_BASE, BlockSpec.lora(8, 16), 4, 4);

    private BenchInstances() {}

    public static List<Device> fleet(int k, long seed, double memoryBytes) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Device> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(Device.of(
                    "dev-" + i,
                    (5 + 45 * r.nextDouble()) * 1e12,
                    memoryBytes * (0.6 + 0.8 * r.nextDouble()),
                    20 + 3 * r.nextDouble(),
                    -(100 + 30 * r.nextDouble())));
        }
        return out;
    }

    /** K devices and N blocks of RoBERTa-large LoRA, layers dealt round-robin (N > 24 repeats layers). */
    public static PlanningProblem crunch(int k, int n, long seed) {
        List<Block> blocks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            blocks.add(new Block(1 + i % 24, LARGE_LORA.blockParams()));
        }
        return new PlanningProblem(fleet(k, seed, 12e9), LARGE_LORA, blocks, Training.defaults(), 100e6, -174, 1, seed);
    }

    /** K devices and one block per layer of RoBERTa-base (12) or -large (24), 20 MHz. */
    public static PlanningProblem jbba(int k, int blocks, long seed) {
        ModelSpec m = blocks == 12 ? BASE_LORA : LARGE_LORA;
        return new PlanningProblem(
                fleet(k, seed, blocks == 12 ? 8e9 : 12e9),
                m,
                PlanningProblem.oneBlockPerLayer(m),
                Training.defaults(),
                20e6,
                -174,
                1,
                seed);
    }
}
