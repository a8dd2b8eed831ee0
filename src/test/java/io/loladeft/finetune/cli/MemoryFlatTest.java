package io.loladeft.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/**
 * AdamW training steps on a tiny model through the {@code memory} entry point (300 here to keep the
 * suite fast; docs/finetune.md shows the 1,000-step run of the same command): the number of
 * live NDArrays must not change after the first step (every activation and temporary is freed with
 * its step's sub-manager; this catches any leaked array deterministically) and RSS must not grow by
 * more than the JVM heap pages and allocator arenas that a young process still touches for the
 * first time (the old leak was ~30 MB per step, i.e. GBs here).
 */
class MemoryFlatTest {

    @Test
    void memoryStaysFlatOverHundredsOfSteps() {
        String json = FinetuneMain.run(
                new String[] {
                    "memory", "--model", "tiny", "--kind", "lora", "--steps", "300", "--every", "50", "--batch", "4",
                    "--seq", "16", "--quiet"
                },
                new PrintStream(new ByteArrayOutputStream()));
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        JsonArray series = o.getAsJsonArray("series");
        assertEquals(7, series.size());
        int live = o.get("liveArraysAfterStep1").getAsInt();
        long rss100 = 0;
        long rssLast = 0;
        for (var e : series) {
            JsonObject p = e.getAsJsonObject();
            assertEquals(live, p.get("liveArrays").getAsInt(), "live arrays at step " + p.get("step"));
            if (p.get("step").getAsInt() == 100) {
                rss100 = p.get("rssBytes").getAsLong();
            }
            rssLast = p.get("rssBytes").getAsLong();
        }
        assertTrue(rss100 > 0);
        long growth = rssLast - rss100;
        assertTrue(growth < 96L << 20, "RSS grew " + (growth >> 20) + " MiB from step 100 to 300");
    }
}
