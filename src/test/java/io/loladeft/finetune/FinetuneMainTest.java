package io.loladeft.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.finetune.cli.FinetuneMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The runnable entry point end to end on the test fixtures, with tiny settings. */
class FinetuneMainTest {

    private static String run(String... args) {
        return FinetuneMain.run(args, new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void cooperativeTrainingOnSst2FixtureReportsDevicesAndAccuracy() {
        String json = run("train", "--task", "SST-2", "--glue", TestData.resource("glue").toString(),
                "--tokenizer", TestData.robertaBaseTokenizer().toString(), "--model", "tiny", "--layers", "4",
                "--kind", "layer", "--train-embeddings", "--devices", "2", "--rounds", "3", "--local-iterations", "2",
                "--batch", "4", "--max-len", "32", "--lr", "1e-3", "--quiet");
        JsonObject r = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(3, r.get("roundsRun").getAsInt());
        assertEquals(2, r.get("devices").getAsInt());
        assertEquals("[[1, 3], [2, 4]]", r.get("assignment").getAsString());
        double acc = r.getAsJsonObject("final").get("accuracy").getAsDouble();
        assertTrue(acc >= 0 && acc <= 1);
        JsonObject round1 = r.getAsJsonArray("roundSamples").get(0).getAsJsonObject();
        assertEquals(2, round1.getAsJsonArray("devices").size());
        JsonObject dev0 = round1.getAsJsonArray("devices").get(0).getAsJsonObject();
        assertTrue(dev0.get("computeSeconds").getAsDouble() > 0);
        assertTrue(dev0.get("peakRssBytes").getAsLong() > 0);
    }

    @Test
    void regressionAndPairTasksTrainWithTheirMetrics() {
        String json = run("train", "--task", "STS-B", "--glue", TestData.resource("glue").toString(),
                "--tokenizer", TestData.robertaBaseTokenizer().toString(), "--model", "tiny", "--kind", "adapter",
                "--adapter-size", "4", "--devices", "2", "--rounds", "2", "--batch", "3", "--max-len", "48", "--quiet");
        JsonObject fin = JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("final");
        assertTrue(fin.has("pearson") && fin.has("spearman"), fin.toString());
        String rte = run("train", "--task", "RTE", "--glue", TestData.resource("glue").toString(),
                "--tokenizer", TestData.robertaBaseTokenizer().toString(), "--model", "tiny", "--kind", "lora",
                "--lora-rank", "2", "--devices", "1", "--rounds", "1", "--batch", "2", "--max-len", "64", "--quiet");
        assertTrue(JsonParser.parseString(rte).getAsJsonObject().getAsJsonObject("final").has("accuracy"));
    }

    @Test
    void badArgumentsAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("calibrate", "--bogus", "1"));
        assertTrue(e.getMessage().contains("unknown option --bogus"));
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> run("memory", "--kind", "prefix", "--steps", "1"));
        assertTrue(k.getMessage().contains("unknown block kind 'prefix'"));
        assertThrows(IllegalArgumentException.class, () -> run("nonsense"));
    }
}
