package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-checked numbers of the cost model, the units and the uplink. */
class CostModelTest {

    @Test
    void robertaBaseParameterCounts() {
        // One encoder layer of RoBERTa-base: 7,087,872 weights (the well-known figure).
        assertEquals(7_087_872L, RobertaShape.ROBERTA_BASE.layerParams());
        // Backbone without pooler and head: 124,055,040 (124.6M with the 590k pooler).
        assertEquals(124_055_040L, RobertaShape.ROBERTA_BASE.backboneParams());
        ModelSpec lora = new ModelSpec(RobertaShape.ROBERTA_BASE, BlockSpec.lora(8, 16), 4, 4);
        assertEquals(2 * 2 * 768 * 8, lora.blockParams(3));
        ModelSpec adapter = new ModelSpec(RobertaShape.ROBERTA_BASE, BlockSpec.adapter(64), 4, 4);
        assertEquals(2 * 768 * 64 + 64 + 768, adapter.blockParams(1));
        ModelSpec layer = new ModelSpec(RobertaShape.ROBERTA_LARGE, BlockSpec.layer(), 2, 4);
        assertEquals(12_596_224L, layer.blockParams(1));
        // The task head (two labels) is a block of its own, at layer L + 1; the top layer's block is like the others.
        assertEquals(12_596_224L, layer.blockParams(24));
        assertEquals(1024 * 1024 + 1024 + 2 * 1024 + 2, layer.blockParams(25));
        assertEquals(BlockKind.HEAD, layer.kindAt(25));
        assertEquals(BlockKind.LAYER, layer.kindAt(24));
        assertEquals(592_130L, lora.headParams());
        assertEquals(2 * 2 * 768 * 8, lora.blockParams(12));
        assertEquals(592_130L, lora.blockParams(13));
        assertThrows(IllegalArgumentException.class, () -> lora.blockParams(14));
        List<Block> blocks = PlanningProblem.oneBlockPerLayer(lora);
        assertEquals(13, blocks.size());
        assertEquals(new Block(13, 592_130L), blocks.get(12));
        assertEquals(0, blocks.get(12).depth(12));
        assertEquals(124_055_040.0 * 4, lora.backboneBytes());
    }

    /** A job's FLOPs per local iteration, by hand from the formula: the numbers the fused round shares by. */
    @Test
    void iterationFlopsByHand() {
        ModelSpec m = ModelSpec.robertaBaseLora();
        double b = 4;
        double s = 16;
        double layer = 2 * b * s * (4 * 768.0 * 768 + 2 * 768.0 * 3072) + 4 * b * s * s * 768;
        double head = 2 * b * (768.0 * 768 + 2 * 768);
        // Layers 3 and 5: the backward goes down to layer 3, depth 10.
        assertEquals(
                12 * layer + 2 * head + 10 * layer + 2 * b * s * 2 * 24576,
                m.iterationFlops(4, 16, List.of(5, 3)),
                1e-6 * layer);
        // The top layer's block: depth 1, its own gradient only.
        assertEquals(
                12 * layer + 2 * head + layer + 2 * b * s * 24576, m.iterationFlops(4, 16, List.of(12)), 1e-6 * layer);
        // The head alone (layer 13): no encoder layer crossed; its gradient sees the first token only.
        assertEquals(12 * layer + 2 * head + 2 * b * 592_130, m.iterationFlops(4, 16, List.of(13)), 1e-6 * layer);
        // With the top block: depth 1, both gradients.
        assertEquals(
                12 * layer + 2 * head + layer + 2 * b * s * 24576 + 2 * b * 592_130,
                m.iterationFlops(4, 16, List.of(12, 13)),
                1e-6 * layer);
    }

    @Test
    void unitConversions() {
        assertEquals(1.0, Uplink.dbmToWatts(30), 1e-15);
        assertEquals(0.1, Uplink.dbmToWatts(20), 1e-15);
        assertEquals(1e-3, Uplink.dbToLinear(-30), 1e-18);
        // -174 dBm/Hz is 3.98e-21 W/Hz.
        assertEquals(3.981071705534952e-21, Uplink.dbmToWatts(-174), 1e-33);
        // 20 dBm, -100 dB gain, -174 dBm/Hz: gamma = 0.1 * 1e-10 / 3.98e-21 = 2.51e9 Hz.
        assertEquals(0.1 * 1e-10 / 3.981071705534952e-21, Uplink.gamma(20, -100, -174), 1e-3);
    }

    @Test
    void shannonRateAndItsInverse() {
        // gamma = B gives log2(2) = 1 bit/s/Hz.
        assertEquals(1e6, Uplink.rate(1e6, 1e6), 1e-6);
        assertEquals(0.0, Uplink.rate(0, 1e6));
        assertEquals(1e6 / Math.log(2), Uplink.maxRate(1e6), 1e-6);
        for (double r : new double[] {1, 1e3, 1e5, 1e6, 1.4e6}) {
            double b = Uplink.bandwidthFor(r, 1e6);
            assertEquals(r, Uplink.rate(b, 1e6), 1e-9 * r);
        }
        assertEquals(Double.POSITIVE_INFINITY, Uplink.bandwidthFor(1.5e6, 1e6));
    }

    @Test
    void analyticCostsOfOneBlock() {
        Device d = Device.of("a", 1e13, 1e10, 20, -100);
        ModelSpec m = ModelSpec.robertaBaseLora();
        Training t = new Training(2, 10, 3, 1, 32);
        PlanningProblem p = new PlanningProblem(
                List.of(d), m, List.of(new Block(12, 24576), new Block(1, 24576)), t, 1e6, -174, 1, 0);
        CostModel cm = new CostModel(p);
        double h = 768;
        double fLayer = 2.0 * 2 * 10 * (4 * h * h + 2 * h * 3072) + 4.0 * 2 * 10 * 10 * h;
        double fHead = 2.0 * 2 * (h * h + 2 * h);
        double fixed = 12 * fLayer + 2 * fHead;
        // Layer 12 is next to the head: depth 1. Layer 1: depth 12.
        assertEquals(3 * (fixed + 1 * fLayer + 2 * 2 * 10 * 24576) / 1e13, cm.compute1(0, 0), 1e-15);
        assertEquals(3 * (fixed + 12 * fLayer + 2 * 2 * 10 * 24576) / 1e13, cm.compute1(0, 1), 1e-15);
        // A_layer = b*s*(7h + i + 3*a*s)*4 = 20*(5376 + 3072 + 360)*4; A_work = 20*(13056 + 3072 + 360)*4.
        double act = 704_640;
        double work = 1_319_040;
        assertEquals(124_055_040.0 * 4 + work + 12 * act + 4 * 4 * 24576, cm.memory1(0, 1), 1e-3);
        assertEquals(124_055_040.0 * 4 + work + act + 4 * 4 * 24576, cm.memory1(0, 0), 1e-3);
        // Upload of 24576 params at 32 bits over 1 MHz.
        double gamma = Uplink.gamma(20, -100, -174);
        assertEquals(32 * 24576 / (1e6 * Math.log1p(gamma / 1e6) / Math.log(2)), cm.upload(0, 32 * 24576, 1e6), 1e-15);
    }

    /**
     * The activation terms by hand (docs/planning.md, "Memory"), for the shapes docs/finetune.md measures:
     * all-MiniLM-L6-v2 (h=384, 12 heads, FFN 1536) at b=32, s=64 and roberta-base at b=4, s=256, fp32.
     */
    @Test
    void activationBytesByHand() {
        RobertaShape minilm = RobertaShape.MINILM_L6;
        ModelSpec m = new ModelSpec(minilm, BlockSpec.lora(8, 16), 4, 4);
        // b*s = 2048 tokens; per token 7*384 + 1536 + 3*12*64 = 6528 values, at 4 bytes.
        assertEquals(2048.0 * 6528 * 4, m.activationBytesPerLayer(32, 64), 0);
        assertEquals(53_477_376.0, m.activationBytesPerLayer(32, 64), 0);
        // workspace: 17*384 + 1536 + 2304 = 10368 values per token.
        assertEquals(84_934_656.0, m.workspaceBytes(32, 64), 0);
        // backbone: 30522*384 + 512*384 + 3*384 embeddings + 6 * 1,774,464 layers = 22,564,992 weights.
        assertEquals(22_564_992L, minilm.backboneParams());
        // depth 6 training the LoRA block of layer 1 (2*2*384*8 = 12,288 params): W + A_work + 6*A_layer + 16*P.
        assertEquals(12_288L, m.blockParams(1));
        assertEquals(
                22_564_992.0 * 4 + 84_934_656 + 6 * 53_477_376.0 + 16 * 12_288,
                m.trainingMemoryBytes(32, 64, 6, m.blockParams(1)),
                0);
        ModelSpec base = ModelSpec.robertaBaseLora();
        // b*s = 1024; 7*768 + 3072 + 3*12*256 = 17664 values per token; workspace 13056 + 3072 + 9216 = 25344.
        assertEquals(1024.0 * 17664 * 4, base.activationBytesPerLayer(4, 256), 0);
        assertEquals(1024.0 * 25344 * 4, base.workspaceBytes(4, 256), 0);
        // 16-bit weights halve the activations too (they are kept at the weights' precision).
        ModelSpec half = new ModelSpec(RobertaShape.ROBERTA_BASE, BlockSpec.lora(8, 16), 2, 4);
        assertEquals(base.activationBytesPerLayer(4, 256) / 2, half.activationBytesPerLayer(4, 256), 0);
        assertEquals(base.workspaceBytes(4, 256) / 2, half.workspaceBytes(4, 256), 0);
    }

    @Test
    void profileCostsAddTheExtraBlocksOnly() {
        double[] cs = {1, 2, 3};
        double[] ms = {10, 20, 30};
        Device d = Device.of("a", 1e9, 1e12, 20, -100).withProfile(new DeviceProfile(cs, ms));
        ModelSpec m = new ModelSpec(new RobertaShape(3, 8, 2, 16, 100, 16), BlockSpec.lora(1, 1), 4, 4);
        Training t = new Training(1, 1, 2, 1, 32);
        PlanningProblem p =
                new PlanningProblem(List.of(d), m, List.of(new Block(1, 100), new Block(3, 50)), t, 1e6, -174, 2, 0);
        CostModel cm = new CostModel(p);
        CostModel.SetCost both = cm.add(cm.add(CostModel.SetCost.EMPTY, 0), 1);
        // Deepest block: layer 1, depth 3. The other adds E * 2*b*s*P / f = 2 * 2 * 50 / 1e9 and 4*4*50 bytes.
        assertEquals(2 * 3 + 2 * 2.0 * 50 / 1e9, cm.compute(0, both), 1e-15);
        assertEquals(30 + 16 * 50, cm.memory(0, both), 1e-12);
        assertEquals(2 * 1.0, cm.compute1(0, 1), 0.0);
    }
}
