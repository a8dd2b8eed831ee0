package io.loladeft.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The engine side of src/bench/torch-vs-engine.sh runs and reports sane timings (nothing is timed here). */
class PhaseBenchTest {

    @Test
    void phasesReportsEveryPhaseAtEachDistinctDepth() {
        String report = FinetuneMain.run(
                new String[] {
                    "phases",
                    "--model",
                    "tiny",
                    "--layers",
                    "3",
                    "--kind",
                    "lora",
                    "--lora-rank",
                    "2",
                    "--batch",
                    "2",
                    "--seq",
                    "8",
                    "--warmup",
                    "0",
                    "--iterations",
                    "3",
                    "--quiet"
                },
                new PrintStream(new ByteArrayOutputStream()));
        JsonObject o = JsonParser.parseString(report).getAsJsonObject();
        assertEquals("engine", o.get("framework").getAsString());
        assertEquals("lora", o.get("blockKind").getAsString());
        assertEquals(3, o.get("layers").getAsInt());
        assertTrue(o.get("threads").getAsInt() >= 1);
        JsonArray points = o.getAsJsonArray("points");
        assertEquals(2, points.size(), "depths 1, L/2 = 1 and L = 3, without the duplicate: " + points);
        long previous = 0;
        int[] depths = {1, 3};
        for (int i = 0; i < points.size(); i++) {
            JsonObject p = points.get(i).getAsJsonObject();
            assertEquals(depths[i], p.get("depth").getAsInt());
            long trainable = p.get("trainableParameters").getAsLong();
            assertTrue(trainable > previous, "deeper trains more: " + p);
            previous = trainable;
            double step = p.get("step").getAsDouble();
            for (String phase : new String[] {"forward", "backward", "optimizer", "step"}) {
                double median = p.get(phase).getAsDouble();
                double min = p.get(phase + "Min").getAsDouble();
                assertTrue(Double.isFinite(median) && median > 0 && median < 60, phase + ": " + p);
                assertTrue(min > 0 && min <= median, phase + ": " + p);
                // every iteration's step contains its phases, so the medians keep that order
                assertTrue(median <= step, phase + " within the step: " + p);
            }
        }
    }
}
