package io.loladeft.finetune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loladeft.finetune.blocks.BlockKind;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.EncoderNames;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CooperativeRoundTest {

    static Batch randomBatch(EncoderConfig c, int b, int s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] ids = new long[b * s];
        long[] mask = new long[b * s];
        float[] y = new float[b];
        for (int i = 0; i < b; i++) {
            int len = s - r.nextInt(Math.max(1, s / 3));
            for (int j = 0; j < s; j++) {
                boolean tok = j < len;
                ids[i * s + j] = j == 0 ? 0 : j == len - 1 ? 2 : tok ? 3 + r.nextInt(c.vocabSize() - 3) : 1;
                mask[i * s + j] = tok ? 1 : 0;
            }
            y[i] = c.numLabels() == 1 ? (float) r.nextDouble(5) : r.nextInt(c.numLabels());
        }
        return new Batch(b, s, ids, mask, y);
    }

    @Test
    void oneSgdRoundEqualsOneCentralisedStepOnAllBlocks() {
        EncoderConfig c = EncoderConfig.tiny(90, 4, 3);
        for (BlockSpec spec : new BlockSpec[] {
            BlockSpec.layer(),
            BlockSpec.lora(4, 8),
            BlockSpec.adapter(8),
            BlockSpec.layer().withTrainEmbeddings(true)
        }) {
            ModelSource src = ModelSource.seeded(c, 11);
            List<Batch> batch = List.of(randomBatch(c, 6, 10, 5));
            try (RoundRunner coop = new RoundRunner(src, spec, OptimizerSpec.sgd(0.5f), RoundRunner.roundRobin(4, 4));
                    RoundRunner central =
                            new RoundRunner(src, spec, OptimizerSpec.sgd(0.5f), List.of(List.of(1, 2, 3, 4, 5)))) {
                Map<String, HostTensor> start = Safetensors.read(coop.globalState(), "start");
                RoundRunner.RoundReport rc = coop.round(batch);
                central.round(batch);
                assertEquals(4, rc.devices().size());
                Map<String, HostTensor> a = Safetensors.read(coop.globalState(), "coop");
                Map<String, HostTensor> b = Safetensors.read(central.globalState(), "central");
                assertEquals(a.keySet(), b.keySet());
                double maxDiff = 0;
                double maxMove = 0;
                for (String n : a.keySet()) {
                    float[] x = a.get(n).data();
                    float[] y = b.get(n).data();
                    float[] s0 = start.get(n).data();
                    for (int i = 0; i < x.length; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
                        maxMove = Math.max(maxMove, Math.abs(x[i] - s0[i]));
                    }
                }
                assertTrue(maxDiff < 1e-5, spec + ": max abs diff " + maxDiff);
                assertTrue(maxMove > 1e-3, spec + ": the step must move the blocks, moved " + maxMove);
                for (RoundResult r : rc.devices()) {
                    assertTrue(r.computeSeconds() > 0);
                    assertTrue(r.peakRssBytes() > 0);
                }
            }
        }
    }

    /**
     * AdamW's state travels with its block: blocks that move to another device every round (as
     * under a new plan) continue their moments and steps exactly, so four rounds of a cooperative
     * run equal four centralised AdamW steps on all blocks, with weight decay and clipping on.
     */
    @Test
    void cooperativeAdamWWithBlocksMovingEqualsCentralisedAdamW() {
        EncoderConfig c = EncoderConfig.tiny(90, 4, 2);
        OptimizerSpec adamw = OptimizerSpec.adamw(1e-2f, 0.01f).withMaxGradNorm(0.5f);
        // Block 5 is the head: it moves between devices with its optimizer state, like every block.
        List<List<List<Integer>>> plans = List.of(
                List.of(List.of(1), List.of(2), List.of(3), List.of(4, 5)),
                List.of(List.of(4), List.of(3, 5), List.of(1, 2)),
                List.of(List.of(2, 3), List.of(4, 1), List.of(5)),
                List.of(List.of(3), List.of(1, 5), List.of(4), List.of(2)));
        for (BlockSpec spec : new BlockSpec[] {BlockSpec.layer(), BlockSpec.lora(4, 8), BlockSpec.adapter(8)}) {
            ModelSource src = ModelSource.seeded(c, 13);
            try (RoundRunner coop = new RoundRunner(src, spec, adamw, RoundRunner.roundRobin(4, 4));
                    RoundRunner central = new RoundRunner(src, spec, adamw, List.of(List.of(1, 2, 3, 4, 5)))) {
                for (int r = 0; r < plans.size(); r++) {
                    List<Batch> batch = List.of(randomBatch(c, 6, 10, 100 + r));
                    coop.round(batch, plans.get(r));
                    central.round(batch);
                }
                Map<String, HostTensor> a = Safetensors.read(coop.globalState(), "coop");
                Map<String, HostTensor> b = Safetensors.read(central.globalState(), "central");
                assertEquals(b.keySet(), a.keySet());
                assertTrue(a.keySet().stream().anyMatch(n -> n.endsWith("::exp_avg_sq")), "the state travels");
                double maxDiff = 0;
                for (String n : a.keySet()) {
                    float[] x = a.get(n).data();
                    float[] y = b.get(n).data();
                    for (int i = 0; i < x.length; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
                    }
                }
                assertTrue(maxDiff <= 1e-5, spec + ": max abs diff " + maxDiff);
                assertEquals(4f, a.get(firstStep(a)).data()[0], "four AdamW steps on every block");
            }
        }
    }

    private static String firstStep(Map<String, HostTensor> state) {
        return state.keySet().stream()
                .filter(n -> n.endsWith("::step"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void onlyAssignedBlocksChangeAndOnlyTheyCross() {
        EncoderConfig c = EncoderConfig.tiny(90, 4, 2);
        for (BlockSpec spec : new BlockSpec[] {BlockSpec.layer(), BlockSpec.lora(4, 8), BlockSpec.adapter(8)}) {
            try (DeviceTrainer d =
                    new DeviceTrainer(ModelSource.seeded(c, 2), spec, OptimizerSpec.adamw(1e-2f, 0.01f))) {
                Map<String, HostTensor> before = d.model().getAllTensors();
                byte[] global =
                        Safetensors.write(d.model().getTensors(d.layout().allTrainable()));
                List<Batch> batches = List.of(randomBatch(c, 4, 8, 1), randomBatch(c, 4, 8, 2));
                RoundResult r = d.train(global, List.of(2), batches);
                Map<String, HostTensor> after = d.model().getAllTensors();
                List<String> block = d.layout().tensorsOf(2);
                for (String n : before.keySet()) {
                    if (block.contains(n)) {
                        if (!n.contains("lora_A")) { // lora_A has zero gradient while lora_B is still zero
                            assertFalse(before.get(n).bitEquals(after.get(n)), spec + ": trained " + n);
                        }
                    } else {
                        assertTrue(before.get(n).bitEquals(after.get(n)), spec + ": frozen " + n + " changed");
                        assertFalse(d.model().parameter(n).hasGradient(), n + " must not require a gradient");
                    }
                }
                Map<String, HostTensor> sent = new LinkedHashMap<>(Safetensors.read(r.updatedBlocks(), "update"));
                // AdamW's state travels with the block: moments and step of exactly the block's tensors
                Set<String> state = new HashSet<>();
                for (String n : block) {
                    state.addAll(List.of(n + "::exp_avg", n + "::exp_avg_sq", n + "::step"));
                }
                assertTrue(sent.keySet().containsAll(state), spec + ": optimizer state travels with the block");
                assertEquals(2f, sent.get(block.get(0) + "::step").data()[0], "two local iterations, two steps");
                sent.keySet().removeAll(state);
                assertEquals(new HashSet<>(block), sent.keySet());
                for (String n : sent.keySet()) {
                    assertTrue(sent.get(n).bitEquals(after.get(n)));
                }
                if (spec.kind() != BlockKind.LAYER) {
                    for (String n : EncoderNames.of(c).backboneTensors(c)) {
                        assertFalse(sent.containsKey(n), "backbone tensor " + n + " crossed");
                    }
                }
                assertEquals(2, r.losses().size());
            }
        }
    }

    @Test
    void aShallowerBlockCostsLessTime() {
        EncoderConfig c = EncoderConfig.roberta(6, 96, 4, 384, 200, 70, 2).withDropout(0f, 0f);
        try (DeviceTrainer d =
                new DeviceTrainer(ModelSource.seeded(c, 4), BlockSpec.layer(), OptimizerSpec.sgd(1e-3f))) {
            List<Batch> batches = List.of(randomBatch(c, 8, 48, 3));
            d.iterate(List.of(6), batches);
            d.iterate(List.of(1), batches);
            double[] shallow = new double[5];
            double[] deep = new double[5];
            for (int i = 0; i < 5; i++) {
                shallow[i] = d.iterate(List.of(6), batches).computeSeconds();
                deep[i] = d.iterate(List.of(1), batches).computeSeconds();
            }
            Arrays.sort(shallow);
            Arrays.sort(deep);
            assertTrue(shallow[2] < 0.85 * deep[2], "depth 1 median " + shallow[2] + " s vs depth 6 " + deep[2] + " s");
        }
    }

    @Test
    void mergeRejectsOverlapsStrangersAndGaps() {
        EncoderConfig c = EncoderConfig.tiny(90, 2, 2);
        try (DeviceTrainer d =
                new DeviceTrainer(ModelSource.seeded(c, 2), BlockSpec.lora(2, 4), OptimizerSpec.sgd(0.1f))) {
            Map<String, HostTensor> all = d.model().getTensors(d.layout().allTrainable());
            byte[] global = Safetensors.write(all);
            byte[] b1 = Safetensors.write(d.model().getTensors(d.layout().tensorsOf(1)));
            byte[] b2 = Safetensors.write(d.model().getTensors(d.layout().tensorsOf(2)));
            byte[] head = Safetensors.write(
                    d.model().getTensors(d.layout().tensorsOf(d.layout().headBlock())));
            assertEquals(global.length, Merge.apply(global, List.of(b1, b2, head), true).length);
            IllegalArgumentException overlap =
                    assertThrows(IllegalArgumentException.class, () -> Merge.apply(global, List.of(b1, b1), false));
            assertTrue(overlap.getMessage().contains("disjoint"));
            IllegalArgumentException gap =
                    assertThrows(IllegalArgumentException.class, () -> Merge.apply(global, List.of(b1), true));
            assertTrue(gap.getMessage().contains("not updated"));
            byte[] stranger = Safetensors.write(
                    d.model().getTensors(List.of(d.model().naming().word())));
            IllegalArgumentException unknown = assertThrows(
                    IllegalArgumentException.class, () -> Merge.apply(global, List.of(b1, b2, head, stranger), true));
            assertTrue(unknown.getMessage().contains("not in the global block state"));
            assertThrows(IllegalArgumentException.class, () -> d.loadBlocks(stranger));
        }
        List<List<Integer>> twice = new ArrayList<>(List.of(List.of(1), List.of(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RoundRunner(ModelSource.seeded(c, 1), BlockSpec.layer(), OptimizerSpec.sgd(0.1f), twice));
    }
}
