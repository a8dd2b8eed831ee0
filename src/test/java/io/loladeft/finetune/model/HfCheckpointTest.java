package io.loladeft.finetune.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.loladeft.finetune.TestData;
import io.loladeft.finetune.blocks.BlockSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {

    private static final EncoderConfig TINY = EncoderConfig.tiny(80, 2, 2);
    private static final Batch BATCH = new Batch(
            2, 5, new long[] {0, 9, 17, 2, 1, 0, 33, 2, 2, 44}, new long[] {1, 1, 1, 1, 0, 1, 1, 1, 1, 1}, new float[] {
                0, 1
            });

    @TempDir
    Path tmp;

    @Test
    void seededInitIsReproducibleAndSeedDependent() {
        try (NDManager m = NDManager.newBaseManager();
                EncoderModel a = EncoderModel.seeded(TINY, BlockSpec.lora(4, 8), 7, m);
                EncoderModel b = EncoderModel.seeded(TINY, BlockSpec.lora(4, 8), 7, m);
                EncoderModel c = EncoderModel.seeded(TINY, BlockSpec.lora(4, 8), 8, m)) {
            Map<String, HostTensor> ta = a.getAllTensors();
            Map<String, HostTensor> tb = b.getAllTensors();
            Map<String, HostTensor> tc = c.getAllTensors();
            for (String n : ta.keySet()) {
                assertTrue(ta.get(n).bitEquals(tb.get(n)), n);
            }
            assertFalse(ta.get("roberta.encoder.layer.0.attention.self.query.weight")
                    .bitEquals(tc.get("roberta.encoder.layer.0.attention.self.query.weight")));
            // RoBERTa's padding rows are zero, LayerNorm starts at one, LoRA B at zero
            float[] word = ta.get("roberta.embeddings.word_embeddings.weight").data();
            for (int i = 0; i < TINY.hiddenSize(); i++) {
                assertEquals(0f, word[TINY.hiddenSize() + i]);
            }
            assertEquals(1f, ta.get("roberta.embeddings.LayerNorm.weight").data()[0]);
            assertEquals(
                    0f,
                    ta.get("roberta.encoder.layer.1.attention.self.value.lora_B.weight")
                            .data()[3]);
        }
    }

    @Test
    void checkpointWrittenInHfNamingReloadsBitIdenticallyWithTheSameLogits() {
        for (BlockSpec spec : new BlockSpec[] {BlockSpec.layer(), BlockSpec.lora(4, 8), BlockSpec.adapter(6)}) {
            Path dir = tmp.resolve(spec.kind().wireName());
            try (NDManager m = NDManager.newBaseManager();
                    EncoderModel a = EncoderModel.seeded(TINY, spec, 3, m)) {
                // make PEFT second factors non-zero so they matter for the logits
                Map<String, HostTensor> bump = new LinkedHashMap<>();
                for (Map.Entry<String, HostTensor> e : a.getAllTensors().entrySet()) {
                    if (e.getKey().contains("lora_B") || e.getKey().contains("adapter.up")) {
                        float[] d = e.getValue().data().clone();
                        for (int i = 0; i < d.length; i++) {
                            d[i] = 0.01f * ((i % 7) - 3);
                        }
                        bump.put(e.getKey(), new HostTensor(e.getValue().shape(), d));
                    }
                }
                a.setTensors(bump);
                HfCheckpoint.save(a, dir);
                float[] before = a.forward(m, BATCH, false).toFloatArray();
                try (HfCheckpoint.Loaded b = HfCheckpoint.load(dir, spec, 0, 99, m)) {
                    assertTrue(
                            b.report().initialised().isEmpty(),
                            "nothing re-initialised: " + b.report().initialised());
                    Map<String, HostTensor> ta = a.getAllTensors();
                    Map<String, HostTensor> tb = b.model().getAllTensors();
                    assertEquals(ta.keySet(), tb.keySet());
                    for (String n : ta.keySet()) {
                        assertTrue(ta.get(n).bitEquals(tb.get(n)), n);
                    }
                    float[] after = b.model().forward(m, BATCH, false).toFloatArray();
                    assertArrayEquals(before, after, 0f);
                }
            }
        }
    }

    @Test
    void halfAndBfloat16CheckpointsLoadAndConvert() throws Exception {
        Path ref = TestData.resource("reference/tiny-roberta");
        Map<String, HostTensor> f32 = Safetensors.read(ref.resolve("model.safetensors"));
        for (Safetensors.DType dt : new Safetensors.DType[] {Safetensors.DType.F16, Safetensors.DType.BF16}) {
            Path dir = tmp.resolve(dt.name());
            Files.createDirectories(dir);
            Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
            Files.write(dir.resolve("model.safetensors"), Safetensors.write(f32, dt));
            try (NDManager m = NDManager.newBaseManager();
                    HfCheckpoint.Loaded l = HfCheckpoint.load(dir, BlockSpec.layer(), 0, 1, m)) {
                String n = "roberta.encoder.layer.1.intermediate.dense.weight";
                float[] orig = f32.get(n).data();
                float[] got = l.model().getTensors(List.of(n)).get(n).data();
                double tol = dt == Safetensors.DType.F16 ? 1e-3 : 8e-3;
                for (int i = 0; i < orig.length; i++) {
                    assertEquals(orig[i], got[i], Math.abs(orig[i]) * tol + 1e-7, n + "[" + i + "]");
                    float expected = dt == Safetensors.DType.F16
                            ? Safetensors.halfToFloat(Safetensors.floatToHalf(orig[i]))
                            : Float.intBitsToFloat((Safetensors.floatToBf16(orig[i]) & 0xffff) << 16);
                    assertEquals(expected, got[i], 0f);
                }
            }
        }
    }

    @Test
    void halfPrecisionConversionIsExactOnEdgeValues() {
        assertEquals(1f, Safetensors.halfToFloat((short) 0x3c00));
        assertEquals(-2f, Safetensors.halfToFloat((short) 0xc000));
        assertEquals(65504f, Safetensors.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Safetensors.halfToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, Safetensors.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(Safetensors.halfToFloat((short) 0x7e00)));
        assertEquals((short) 0x3c00, Safetensors.floatToHalf(1f));
        assertEquals((short) 0x0001, Safetensors.floatToHalf(0x1p-24f));
        assertEquals((short) 0x7c00, Safetensors.floatToHalf(1e6f));
        assertEquals((short) 0x3f80, Safetensors.floatToBf16(1f));
    }

    @Test
    void missingMisShapedAndUnexpectedTensorsAreClearErrors() throws Exception {
        Path ref = TestData.resource("reference/tiny-roberta");
        Map<String, HostTensor> good = Safetensors.read(ref.resolve("model.safetensors"));

        Map<String, HostTensor> missing = new LinkedHashMap<>(good);
        missing.remove("roberta.encoder.layer.1.attention.self.key.weight");
        CheckpointException e1 = assertThrows(CheckpointException.class, () -> load(ref, missing, "missing"));
        assertTrue(
                e1.getMessage()
                        .contains("missing backbone tensor(s): roberta.encoder.layer.1.attention.self.key.weight"),
                e1.getMessage());

        Map<String, HostTensor> wrong = new LinkedHashMap<>(good);
        wrong.put("roberta.encoder.layer.0.output.dense.weight", new HostTensor(new long[] {16, 16}, new float[256]));
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> load(ref, wrong, "wrong"));
        assertTrue(
                e2.getMessage()
                        .contains(
                                "roberta.encoder.layer.0.output.dense.weight has shape [16, 16] but config.json implies [16, 32]"),
                e2.getMessage());

        Map<String, HostTensor> extra = new LinkedHashMap<>(good);
        extra.put("roberta.encoder.layer.5.output.dense.weight", new HostTensor(new long[] {1}, new float[1]));
        CheckpointException e3 = assertThrows(CheckpointException.class, () -> load(ref, extra, "extra"));
        assertTrue(e3.getMessage().contains("unexpected tensor(s)"), e3.getMessage());

        Path dir = tmp.resolve("nofile");
        Files.createDirectories(dir);
        Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
        CheckpointException e4 = assertThrows(
                CheckpointException.class,
                () -> HfCheckpoint.load(dir, BlockSpec.layer(), 0, 1, NDManager.newBaseManager()));
        assertTrue(e4.getMessage().contains("no model.safetensors"), e4.getMessage());

        Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
        CheckpointException e5 = assertThrows(
                CheckpointException.class,
                () -> HfCheckpoint.load(dir, BlockSpec.layer(), 0, 1, NDManager.newBaseManager()));
        assertTrue(e5.getMessage().contains("not a safetensors file"), e5.getMessage());
    }

    @Test
    void bareEncoderModelLayoutLoadsWithPoolerIgnoredAndHeadSeeded() throws Exception {
        Path ref = TestData.resource("reference/tiny-roberta");
        Map<String, HostTensor> bare = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e :
                Safetensors.read(ref.resolve("model.safetensors")).entrySet()) {
            if (e.getKey().startsWith("roberta.")) {
                bare.put(e.getKey().substring("roberta.".length()), e.getValue());
            }
        }
        bare.put("pooler.dense.weight", new HostTensor(new long[] {16, 16}, new float[256]));
        Path dir = tmp.resolve("bare");
        Files.createDirectories(dir);
        Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("model.safetensors"), Safetensors.write(bare));
        try (NDManager m = NDManager.newBaseManager();
                HfCheckpoint.Loaded l = HfCheckpoint.load(dir, BlockSpec.lora(2, 4), 5, 1, m)) {
            assertEquals(5, l.model().config().numLabels());
            assertEquals(List.of("pooler.dense.weight"), l.report().ignored());
            assertTrue(l.report().initialised().contains("classifier.out_proj.weight"));
            assertTrue(l.report().initialised().contains("roberta.encoder.layer.0.attention.self.query.lora_A.weight"));
            assertTrue(l.model()
                    .getAllTensors()
                    .get("roberta.encoder.layer.0.attention.self.query.weight")
                    .bitEquals(bare.get("encoder.layer.0.attention.self.query.weight")));
        }
    }

    private void load(Path ref, Map<String, HostTensor> tensors, String name) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("model.safetensors"), Safetensors.write(tensors));
        try (NDManager m = NDManager.newBaseManager()) {
            HfCheckpoint.load(dir, BlockSpec.layer(), 0, 1, m).close();
        }
    }
}
