package io.loladeft.finetune.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.cli.FinetuneMain;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {

    @TempDir
    Path tmp;

    @Test
    void emitsExactlyThePlannersMonotoneProfile() throws Exception {
        Path profile = tmp.resolve("profile.json");
        String report = FinetuneMain.run(
                new String[] {
                    "profile",
                    "--model",
                    "tiny",
                    "--layers",
                    "4",
                    "--kind",
                    "lora",
                    "--lora-rank",
                    "2",
                    "--batch",
                    "4",
                    "--seq",
                    "16",
                    "--iterations",
                    "3",
                    "--host-flops",
                    "1e10",
                    "--profile-out",
                    profile.toString(),
                    "--quiet"
                },
                new PrintStream(new ByteArrayOutputStream()));
        JsonObject p = JsonParser.parseString(Files.readString(profile)).getAsJsonObject();
        assertEquals(Set.of("computeSeconds", "memoryBytes"), p.keySet());
        JsonArray t = p.getAsJsonArray("computeSeconds");
        JsonArray m = p.getAsJsonArray("memoryBytes");
        assertEquals(4, t.size());
        assertEquals(4, m.size());
        for (int i = 0; i < 4; i++) {
            assertTrue(t.get(i).getAsDouble() > 0);
            assertTrue(m.get(i).getAsLong() > 0);
            if (i > 0) {
                assertTrue(t.get(i).getAsDouble() >= t.get(i - 1).getAsDouble());
                assertTrue(m.get(i).getAsLong() >= m.get(i - 1).getAsLong());
            }
            assertEquals(m.get(i).getAsLong(), m.get(i).getAsDouble(), 0.0, "memory is whole bytes");
        }
        JsonObject r = JsonParser.parseString(report).getAsJsonObject();
        JsonArray raw = r.getAsJsonArray("raw");
        assertEquals(4, raw.size());
        assertEquals(1, raw.get(0).getAsJsonObject().get("depth").getAsInt());
        assertEquals(4, raw.get(0).getAsJsonObject().get("layer").getAsInt());
        assertEquals(p, r.getAsJsonObject("profile"));
    }

    @Test
    void profileRescalesByTheHostCalibration() {
        EncoderConfig c = EncoderConfig.tiny(60, 2, 2);
        Profiler.Result r = Profiler.run(
                new Profiler.Options(
                        ModelSource.seeded(c, 1), BlockSpec.adapter(4), OptimizerSpec.sgd(1e-4f), 2, 8, 0, 1),
                4e9);
        double[] half = r.computeSecondsFor(8e9);
        for (int i = 0; i < half.length; i++) {
            assertEquals(r.computeSeconds()[i] / 2, half[i], 1e-15);
        }
        assertArrayEquals(new double[] {3.0}, HostCalibration.scale(new double[] {1.5}, 2e9, 1e9), 0);
        double f = HostCalibration.gemmFlops(64, 64, 64, 3);
        assertTrue(f > 1e6 && f < 1e14, "host FLOP/s " + f);
    }
}
