package io.loladeft.finetune.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.annotations.SerializedName;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.glue.GlueExample;
import io.loladeft.finetune.glue.GlueReader;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.finetune.train.BatchSource;
import io.loladeft.finetune.train.EncodedDataset;
import io.loladeft.finetune.train.Evaluator;
import io.loladeft.finetune.train.LearningRateSchedule;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import io.loladeft.finetune.train.RoundResult;
import io.loladeft.finetune.train.RoundRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code train}: cooperative (or, with {@code --devices 1}, centralised) fine-tuning on a GLUE task, layers
 * dealt round-robin to the devices, with dev evaluations every {@code --eval-every} rounds and at the end.
 */
public final class TrainCommand {

    static final Set<String> OPTIONS = ModelOptions.with(
            "task",
            "glue",
            "tokenizer",
            "max-len",
            "devices",
            "rounds",
            "local-iterations",
            "batch",
            "eval-every",
            "max-minutes",
            "stop-round",
            "warmup",
            "train-limit",
            "dev-limit",
            "lr",
            "weight-decay",
            "clip");

    /**
     * What to train and for how long.
     *
     * @param tokenizer  the tokenizer directory (a checkpoint's own unless {@code --tokenizer} is given)
     * @param stopRound  stop after this round although the schedule runs to {@code rounds}
     * @param maxMinutes stop after this much training time (0: no limit)
     * @param trainLimit use the first examples only (0: all), likewise {@code devLimit}
     */
    public record Settings(
            GlueTask task,
            Path glue,
            Path tokenizer,
            int maxLen,
            ModelSource source,
            BlockSpec blocks,
            OptimizerSpec optimizer,
            int devices,
            int rounds,
            int localIterations,
            int batchSize,
            int evalEvery,
            double maxMinutes,
            int stopRound,
            double warmup,
            int trainLimit,
            int devLimit,
            long seed,
            boolean quiet) {}

    /** One dev evaluation, with the mean training loss since the previous one. */
    public record Evaluation(
            int round, double trainMinutes, double meanTrainLoss, Map<String, Double> metrics, double evalSeconds) {}

    /** One device's share of a sampled round. */
    public record DeviceSample(String layers, double computeSeconds, long peakRssBytes, long uploadBytes) {}

    /** Rounds 1-3 and every twentieth of the schedule. */
    public record RoundSample(
            int round, double meanLoss, long bytesUploaded, double mergeSeconds, List<DeviceSample> devices) {}

    /** What {@code train} reports. */
    public record Report(
            String task,
            int trainExamples,
            int devExamples,
            JsonElement config,
            String checkpoint,
            String blockKind,
            boolean trainEmbeddings,
            int devices,
            String assignment,
            int localIterations,
            int batchSize,
            String optimizer,
            double prepSeconds,
            int roundsPlanned,
            int roundsRun,
            double trainSeconds,
            List<Evaluation> evaluations,
            @SerializedName("final") Evaluation last,
            List<RoundSample> roundSamples) {}

    private TrainCommand() {}

    static Settings settings(Args a) {
        GlueTask task = GlueTask.parse(a.required("task"));
        Path glue = Path.of(a.required("glue"));
        int maxLen = a.integer("max-len", 128);
        ModelSource src = ModelOptions.source(a, task.numLabels(), maxLen);
        // A checkpoint directory usually holds its tokenizer; a seeded model needs --tokenizer.
        String tokenizer =
                src.checkpoint() != null ? a.str("tokenizer", src.checkpoint().toString()) : a.required("tokenizer");
        if (maxLen > src.config().maxSequenceLength()) {
            throw new IllegalArgumentException("--max-len " + maxLen + " exceeds the model's "
                    + src.config().maxSequenceLength());
        }
        int rounds = a.integer("rounds", 100);
        OptimizerSpec opt = OptimizerSpec.parse(a.str("optimizer", "adamw"), (float) a.number("lr", 1e-3), (float)
                        a.number("weight-decay", 0.01))
                .withMaxGradNorm((float) a.number("clip", 0));
        return new Settings(
                task,
                glue,
                Path.of(tokenizer),
                maxLen,
                src,
                ModelOptions.blockSpec(a),
                opt,
                a.integer("devices", 4),
                rounds,
                a.integer("local-iterations", 1),
                a.integer("batch", 32),
                a.integer("eval-every", 0),
                a.number("max-minutes", 0),
                a.integer("stop-round", rounds),
                a.number("warmup", 0.06),
                a.integer("train-limit", 0),
                a.integer("dev-limit", 0),
                a.integer("seed", 1),
                a.flag("quiet"));
    }

    /** Trains as {@code s} says; progress lines go to {@code log} unless quiet. */
    public static Report run(Settings s, PrintStream log) {
        long t0 = System.nanoTime();
        List<GlueExample> trainEx = limit(GlueReader.train(s.glue(), s.task()), s.trainLimit());
        List<GlueExample> devEx = limit(GlueReader.dev(s.glue(), s.task()), s.devLimit());
        EncodedDataset train;
        EncodedDataset dev;
        try (TextTokenizer tok = TextTokenizer.fromDirectory(s.tokenizer())) {
            train = new EncodedDataset(tok, trainEx, s.maxLen());
            dev = new EncodedDataset(tok, devEx, s.maxLen());
        }
        BatchSource batches = train.shuffled(s.batchSize(), s.seed() + 1000L);
        double prepSeconds = (System.nanoTime() - t0) / 1e9;

        ModelSource src = s.source();
        List<List<Integer>> assignment = RoundRunner.roundRobin(src.config().numLayers(), s.devices());
        List<Evaluation> evaluations = new ArrayList<>();
        List<RoundSample> samples = new ArrayList<>();
        int done = 0;
        double lossSum = 0;
        int lossN = 0;
        long tTrain = System.nanoTime();
        LearningRateSchedule lr =
                LearningRateSchedule.warmupFraction(s.optimizer().learningRate(), s.warmup(), s.rounds());
        try (RoundRunner runner = new RoundRunner(src, s.blocks(), s.optimizer(), assignment)) {
            for (int r = 1; r <= s.rounds(); r++) {
                runner.setLearningRate(lr.at(r));
                List<Batch> bs = new ArrayList<>(s.localIterations());
                for (int i = 0; i < s.localIterations(); i++) {
                    bs.add(batches.next());
                }
                RoundRunner.RoundReport rr = runner.round(bs);
                done = r;
                lossSum += rr.meanLoss();
                lossN++;
                if (r <= 3 || r % Math.max(1, s.rounds() / 20) == 0) {
                    samples.add(sample(r, rr));
                }
                double elapsedMin = (System.nanoTime() - tTrain) / 60e9;
                boolean last = r >= Math.min(s.rounds(), s.stopRound())
                        || (s.maxMinutes() > 0 && elapsedMin >= s.maxMinutes());
                if ((s.evalEvery() > 0 && r % s.evalEvery() == 0) || last) {
                    long te = System.nanoTime();
                    Map<String, Double> m = Evaluator.evaluate(runner.evaluationModel(), s.task(), dev, 64);
                    evaluations.add(new Evaluation(r, elapsedMin, lossSum / lossN, m, (System.nanoTime() - te) / 1e9));
                    if (!s.quiet()) {
                        log.printf(
                                Locale.ROOT,
                                "round %d  %.1f min  loss %.4f  dev %s%n",
                                r,
                                elapsedMin,
                                lossSum / lossN,
                                m);
                    }
                    lossSum = 0;
                    lossN = 0;
                }
                if (last) {
                    break;
                }
            }
        }
        return new Report(
                s.task().name(),
                train.size(),
                dev.size(),
                JsonParser.parseString(src.config().toJson()),
                src.checkpoint() == null ? null : src.checkpoint().toString(),
                s.blocks().kind().wireName(),
                s.blocks().trainEmbeddings(),
                assignment.size(),
                assignment.toString(),
                s.localIterations(),
                s.batchSize(),
                s.optimizer().toString(),
                prepSeconds,
                s.rounds(),
                done,
                (System.nanoTime() - tTrain) / 1e9,
                evaluations,
                evaluations.get(evaluations.size() - 1),
                samples);
    }

    private static List<GlueExample> limit(List<GlueExample> examples, int limit) {
        return limit > 0 && limit < examples.size() ? examples.subList(0, limit) : examples;
    }

    private static RoundSample sample(int r, RoundRunner.RoundReport rr) {
        List<DeviceSample> devices = new ArrayList<>();
        for (RoundResult d : rr.devices()) {
            devices.add(new DeviceSample(
                    d.layers().toString(), d.computeSeconds(), d.peakRssBytes(), d.updatedBlocks().length));
        }
        return new RoundSample(r, rr.meanLoss(), rr.bytesUploaded(), rr.mergeSeconds(), devices);
    }
}
