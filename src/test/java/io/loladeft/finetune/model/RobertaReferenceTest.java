package io.loladeft.finetune.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.finetune.TestData;
import io.loladeft.finetune.blocks.BlockSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The DJL forward pass against an independent NumPy restatement of Hugging Face's RoBERTa
 * (src/test/resources/finetune/reference/make_reference.py, which generated the fixture).
 */
class RobertaReferenceTest {

    @Test
    void logitsMatchTheNumpyReferenceIncludingPaddingAndPairs() throws Exception {
        Path dir = TestData.resource("reference/tiny-roberta");
        JsonObject exp = JsonParser.parseString(Files.readString(TestData.resource("reference/expected.json")))
                .getAsJsonObject();
        JsonArray ids = exp.getAsJsonArray("input_ids");
        JsonArray logits = exp.getAsJsonArray("logits");
        int b = ids.size();
        int s = ids.get(0).getAsJsonArray().size();
        long[] flat = new long[b * s];
        long[] mask = new long[b * s];
        float[] want = new float[b * 3];
        for (int r = 0; r < b; r++) {
            for (int c = 0; c < s; c++) {
                flat[r * s + c] = ids.get(r).getAsJsonArray().get(c).getAsLong();
                mask[r * s + c] = flat[r * s + c] == 1 ? 0 : 1;
            }
            for (int c = 0; c < 3; c++) {
                want[r * 3 + c] = logits.get(r).getAsJsonArray().get(c).getAsFloat();
            }
        }
        try (NDManager m = NDManager.newBaseManager();
                HfCheckpoint.Loaded loaded = HfCheckpoint.load(dir, BlockSpec.layer(), 0, 1, m)) {
            EncoderModel model = loaded.model();
            assertEquals(0, loaded.report().initialised().size());
            float[] got = model.forward(m, new Batch(b, s, flat, mask, new float[b]), false)
                    .toFloatArray();
            assertArrayEquals(want, got, 1e-4f);

            // the padded first row gives the same logits as the same row without its padding
            long[] unpadded = {0, 11, 23, 5, 2};
            float[] alone = model.forward(m, new Batch(1, 5, unpadded, new long[] {1, 1, 1, 1, 1}, new float[1]), false)
                    .toFloatArray();
            float[] first = {got[0], got[1], got[2]};
            assertArrayEquals(first, alone, 1e-5f);
        }
    }
}
