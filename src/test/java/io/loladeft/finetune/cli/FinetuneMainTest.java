package io.loladeft.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.finetune.TestData;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runnable entry point end to end on the test fixtures, with tiny settings. */
class FinetuneMainTest {

    private static String run(String... args) {
        return FinetuneMain.run(args, new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void cooperativeTrainingOnSst2FixtureReportsDevicesAndAccuracy() {
        String json = run(
                "train",
                "--task",
                "SST-2",
                "--glue",
                TestData.resource("glue").toString(),
                "--tokenizer",
                TestData.robertaBaseTokenizer().toString(),
                "--model",
                "tiny",
                "--layers",
                "4",
                "--kind",
                "layer",
                "--train-embeddings",
                "--devices",
                "2",
                "--rounds",
                "3",
                "--local-iterations",
                "2",
                "--batch",
                "4",
                "--max-len",
                "32",
                "--lr",
                "1e-3",
                "--quiet");
        JsonObject r = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(3, r.get("roundsRun").getAsInt());
        assertEquals(2, r.get("devices").getAsInt());
        // four layers' blocks and the head's (5), round-robin
        assertEquals("[[1, 3, 5], [2, 4]]", r.get("assignment").getAsString());
        double acc = r.getAsJsonObject("final")
                .getAsJsonObject("metrics")
                .get("accuracy")
                .getAsDouble();
        assertTrue(acc >= 0 && acc <= 1);
        JsonObject round1 = r.getAsJsonArray("roundSamples").get(0).getAsJsonObject();
        assertEquals(2, round1.getAsJsonArray("devices").size());
        JsonObject dev0 = round1.getAsJsonArray("devices").get(0).getAsJsonObject();
        assertTrue(dev0.get("computeSeconds").getAsDouble() > 0);
        assertTrue(dev0.get("peakRssBytes").getAsLong() > 0);
    }

    @Test
    void regressionAndPairTasksTrainWithTheirMetrics() {
        String json = run(
                "train",
                "--task",
                "STS-B",
                "--glue",
                TestData.resource("glue").toString(),
                "--tokenizer",
                TestData.robertaBaseTokenizer().toString(),
                "--model",
                "tiny",
                "--kind",
                "adapter",
                "--adapter-size",
                "4",
                "--devices",
                "2",
                "--rounds",
                "2",
                "--batch",
                "3",
                "--max-len",
                "48",
                "--quiet");
        JsonObject fin = JsonParser.parseString(json)
                .getAsJsonObject()
                .getAsJsonObject("final")
                .getAsJsonObject("metrics");
        assertTrue(fin.has("pearson") && fin.has("spearman"), fin.toString());
        String rte = run(
                "train",
                "--task",
                "RTE",
                "--glue",
                TestData.resource("glue").toString(),
                "--tokenizer",
                TestData.robertaBaseTokenizer().toString(),
                "--model",
                "tiny",
                "--kind",
                "lora",
                "--lora-rank",
                "2",
                "--devices",
                "1",
                "--rounds",
                "1",
                "--batch",
                "2",
                "--max-len",
                "64",
                "--quiet");
        assertTrue(JsonParser.parseString(rte)
                .getAsJsonObject()
                .getAsJsonObject("final")
                .getAsJsonObject("metrics")
                .has("accuracy"));
    }

    @Test
    void trainIsCallableWithTypedSettingsAndStopsWhereTold() {
        ModelSource model = ModelSource.seeded(ModelOptions.config("tiny", 2, 2, 32), 7);
        TrainCommand.Settings s = new TrainCommand.Settings(
                GlueTask.SST2,
                TestData.resource("glue"),
                TestData.robertaBaseTokenizer(),
                32,
                model,
                BlockSpec.lora(2, 4f),
                OptimizerSpec.parse("adamw", 1e-3f, 0.01f),
                2,
                40,
                1,
                4,
                2,
                0,
                5,
                0.1,
                0,
                0,
                3,
                true);
        TrainCommand.Report r = TrainCommand.run(s, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(5, r.roundsRun(), "--stop-round ends the run before the schedule does");
        assertEquals(40, r.roundsPlanned());
        assertEquals(
                List.of(2, 4, 5),
                r.evaluations().stream().map(TrainCommand.Evaluation::round).toList());
        assertEquals(r.evaluations().get(2), r.last());
        assertTrue(r.last().metrics().containsKey("accuracy"), r.last().toString());
        assertEquals("[[1, 3], [2]]", r.assignment()); // block 3: the head
        assertEquals(
                List.of(1, 2, 3, 4),
                r.roundSamples().stream().map(TrainCommand.RoundSample::round).toList());
    }

    @Test
    void calibrateReportsThisHostsSpeed() {
        CalibrateCommand.Report r = CalibrateCommand.run(new CalibrateCommand.Settings(64, 64, 64, 3));
        assertTrue(r.hostFlops() > 1e6, r.toString());
        assertEquals(Runtime.getRuntime().availableProcessors(), r.availableProcessors());
    }

    @Test
    void badArgumentsAreClearErrors() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> run("calibrate", "--bogus", "1"));
        assertTrue(e.getMessage().contains("unknown option --bogus"));
        IllegalArgumentException k =
                assertThrows(IllegalArgumentException.class, () -> run("memory", "--kind", "prefix", "--steps", "1"));
        assertTrue(k.getMessage().contains("unknown block kind 'prefix'"));
        assertThrows(IllegalArgumentException.class, () -> run("nonsense"));
    }
}
