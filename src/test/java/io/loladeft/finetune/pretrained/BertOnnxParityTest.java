package io.loladeft.finetune.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.loladeft.finetune.TestData;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.glue.GlueExample;
import io.loladeft.finetune.glue.GlueReader;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.HfCheckpoint;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.finetune.train.EncodedDataset;
import io.loladeft.finetune.train.TorchThread;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's BERT on the imported weights against ONNX Runtime on the original {@code .onnx} file,
 * code no one here wrote: last hidden states within 1e-4 on 300 GLUE sentences and pairs (single
 * sentences of SST-2, pairs of RTE and STS-B, so both token types), tokenised by the imported
 * {@code tokenizer.json} and padded in batches (the mask must hide the padding).
 */
class BertOnnxParityTest {

    private static final double TOLERANCE = 1e-4;

    @Test
    void lastHiddenStatesEqualOnnxRuntimes() {
        Path dir = SharedImport.dir();
        Path glue = TestData.shared().resolve("glue");
        List<GlueExample> examples = new ArrayList<>();
        examples.addAll(GlueReader.dev(glue, GlueTask.SST2).subList(0, 150));
        examples.addAll(GlueReader.dev(glue, GlueTask.RTE).subList(0, 100));
        examples.addAll(GlueReader.dev(glue, GlueTask.STSB).subList(0, 50));
        TorchThread.prepare();
        double worst = 0;
        int pairs = 0;
        try (TextTokenizer tokenizer = TextTokenizer.fromDirectory(dir);
                OnnxReference onnx = OnnxReference.allMiniLmL6V2();
                NDManager root = NDManager.newBaseManager();
                HfCheckpoint.Loaded loaded = HfCheckpoint.load(dir, BlockSpec.lora(8, 16), 2, 1, root)) {
            assertEquals(EncoderConfig.Family.BERT, loaded.model().config().family());
            EncodedDataset data = new EncodedDataset(tokenizer, examples, 128);
            for (int from = 0; from < data.size(); from += 16) {
                Batch b = data.batch(from, Math.min(data.size(), from + 16));
                float[] ours;
                try (NDManager m = root.newSubManager()) {
                    ours = loaded.model().encode(m, b, false).toFloatArray();
                }
                float[][][] ref = onnx.lastHiddenState(
                        rows(b.inputIds(), b), rows(b.attentionMask(), b), rows(b.tokenTypeIds(), b));
                int h = ref[0][0].length;
                for (int r = 0; r < b.batchSize(); r++) {
                    for (int t = 0; t < b.seqLen(); t++) {
                        if (b.attentionMask()[r * b.seqLen() + t] == 0) {
                            continue; // padding: no one reads it, and its value depends on the pad convention
                        }
                        if (b.tokenTypeIds()[r * b.seqLen() + t] == 1) {
                            pairs++;
                        }
                        for (int k = 0; k < h; k++) {
                            worst = Math.max(worst, Math.abs(ours[(r * b.seqLen() + t) * h + k] - ref[r][t][k]));
                        }
                    }
                }
            }
        }
        assertTrue(pairs > 1000, "second-segment tokens were compared: " + pairs);
        assertTrue(worst <= TOLERANCE, "max |engine - ONNX Runtime| = " + worst);
    }

    private static long[][] rows(long[] flat, Batch b) {
        long[][] out = new long[b.batchSize()][b.seqLen()];
        for (int r = 0; r < b.batchSize(); r++) {
            System.arraycopy(flat, r * b.seqLen(), out[r], 0, b.seqLen());
        }
        return out;
    }
}
