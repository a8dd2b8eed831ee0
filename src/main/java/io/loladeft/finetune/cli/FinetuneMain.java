package io.loladeft.finetune.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.loladeft.finetune.blocks.BlockKind;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.glue.GlueReader;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.profile.DepthMemory;
import io.loladeft.finetune.profile.HostCalibration;
import io.loladeft.finetune.profile.Profiler;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.finetune.train.BatchSource;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.EncodedDataset;
import io.loladeft.finetune.train.Evaluator;
import io.loladeft.finetune.train.MemoryProbe;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.pretrained.PretrainedModels;
import io.loladeft.finetune.train.LearningRateSchedule;
import io.loladeft.finetune.train.OptimizerSpec;
import io.loladeft.finetune.train.RoundResult;
import io.loladeft.finetune.train.RoundRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command-line entry points of the fine-tuning engine (see docs/finetune.md):
 * <ul>
 *   <li>{@code train}: cooperative (or, with {@code --devices 1}, centralised) fine-tuning on a GLUE task</li>
 *   <li>{@code profile}: the planner's measured profile for a config and block kind</li>
 *   <li>{@code calibrate}: this host's FLOP/s</li>
 *   <li>{@code memory}: RSS over many training steps (memory must stay flat)</li>
 *   <li>{@code phases}: seconds of forward, backward and optimizer step by depth (the engine side of
 *       {@code src/bench/torch-vs-engine.sh})</li>
 *   <li>{@code depth-memory}: peak training memory per depth apart from the runtime, each depth in a fresh JVM
 *   ({@link DepthMemory}; {@code io.loladeft.bench.MemoryVsAnalytic} compares it with the planner)</li>
 * </ul>
 * {@link #run} returns the JSON report it also writes to {@code --out}; {@link #main} exits non-zero on errors.
 */
public final class FinetuneMain {

    private static final Set<String> FLAGS = Set.of("train-embeddings", "quiet", "in-process");
    private static final Set<String> MODEL = Set.of("model", "layers", "hf-model", "pretrained", "model-cache", "seed",
            "dropout", "kind",
            "lora-rank", "lora-alpha", "adapter-size", "train-embeddings", "optimizer", "out", "quiet");
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "train", union(MODEL, Set.of("task", "glue", "tokenizer", "max-len", "devices", "rounds", "local-iterations",
                    "batch", "eval-every", "max-minutes", "stop-round", "warmup", "train-limit", "dev-limit", "lr",
                    "weight-decay", "clip")),
            "profile", union(MODEL, Set.of("seq", "num-labels", "batch", "warmup", "iterations", "host-flops",
                    "profile-out")),
            "calibrate", Set.of("m", "k", "n", "reps", "out"),
            "memory", union(MODEL, Set.of("steps", "every", "seq", "batch")),
            "phases", union(MODEL, Set.of("seq", "batch", "num-labels", "depths", "threads", "warmup", "iterations",
                    "lr", "weight-decay")),
            "depth-memory", union(MODEL, Set.of("seq", "batch", "steps", "warmup", "depths", "depth", "in-process",
                    "heap", "env")));

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    private FinetuneMain() {
    }

    public static void main(String[] argv) {
        try {
            run(argv, System.out);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    public static String run(String[] argv, PrintStream log) {
        if (argv.length == 0) {
            throw new IllegalArgumentException("usage: FinetuneMain train|profile|calibrate|memory|phases|depth-memory [--option value ...]");
        }
        Args a = new Args(argv, 1, FLAGS);
        Set<String> allowed = OPTIONS.get(argv[0]);
        if (allowed == null) {
            throw new IllegalArgumentException("unknown command '" + argv[0] + "' (train, profile, calibrate, memory, phases, depth-memory)");
        }
        a.checkAllowed(allowed);
        String report = switch (argv[0]) {
            case "train" -> train(a, log);
            case "profile" -> profile(a, log);
            case "calibrate" -> calibrate(a);
            case "memory" -> memory(a, log);
            case "phases" -> phases(a, log);
            case "depth-memory" -> depthMemory(argv, a, log);
            default -> throw new IllegalArgumentException("unknown command '" + argv[0] + "'");
        };
        String out = a.str("out", null);
        a.checkAllUsed();
        if (out != null) {
            try {
                Path p = Path.of(out);
                if (p.getParent() != null) {
                    Files.createDirectories(p.getParent());
                }
                Files.writeString(p, report, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out, e);
            }
        }
        return report;
    }

    /** A preset name (tiny, small, minilm, base, large) or a path to a config.json. */
    static EncoderConfig modelConfig(String name, int numLabels, int layersOverride, int maxLen) {
        EncoderConfig c = switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> new EncoderConfig(EncoderConfig.Family.ROBERTA, 50265, 32, 2, 4, 64, Math.max(66, maxLen + 2), 1, 1e-5f, 1, numLabels,
                    0f, 0f, 0.02f);
            case "small" -> new EncoderConfig(EncoderConfig.Family.ROBERTA, 50265, 128, 4, 4, 512, Math.max(130, maxLen + 2), 1, 1e-5f, 1, numLabels,
                    0.1f, 0.1f, 0.02f);
            case "minilm", "all-minilm-l6-v2" -> EncoderConfig.miniLmL6(numLabels);
            case "base", "roberta-base" -> EncoderConfig.robertaBase(numLabels);
            case "large", "roberta-large" -> EncoderConfig.robertaLarge(numLabels);
            default -> EncoderConfig.fromJson(Path.of(name), numLabels);
        };
        return layersOverride > 0 ? c.withLayers(layersOverride) : c;
    }

    static BlockSpec blockSpec(Args a) {
        BlockKind kind = BlockKind.parse(a.str("kind", "layer"));
        BlockSpec s = switch (kind) {
            case LORA -> BlockSpec.lora(a.integer("lora-rank", 8), (float) a.number("lora-alpha", 16));
            case ADAPTER -> BlockSpec.adapter(a.integer("adapter-size", 64));
            case LAYER -> BlockSpec.layer();
        };
        return s.withTrainEmbeddings(a.flag("train-embeddings"));
    }

    static ModelSource source(Args a, int numLabels, int maxLen) {
        long seed = a.integer("seed", 1);
        String hf = a.str("hf-model", null);
        String pretrained = a.str("pretrained", null);
        if (pretrained != null) {
            Path dir = PretrainedModels.resolve(pretrained, Path.of(a.str("model-cache", "data/models")));
            return ModelSource.huggingFace(dir, numLabels, seed);
        }
        if (hf != null) {
            return ModelSource.huggingFace(Path.of(hf), numLabels, seed);
        }
        EncoderConfig c = modelConfig(a.str("model", "tiny"), numLabels, a.integer("layers", 0), maxLen);
        double drop = a.number("dropout", -1);
        if (drop >= 0) {
            c = c.withDropout((float) drop, (float) drop);
        }
        return ModelSource.seeded(c, seed);
    }

    private static String train(Args a, PrintStream log) {
        GlueTask task = GlueTask.parse(a.required("task"));
        Path glue = Path.of(a.required("glue"));
        int maxLen = a.integer("max-len", 128);
        ModelSource src = source(a, task.numLabels(), maxLen);
        // A checkpoint directory usually holds its tokenizer; a seeded model needs --tokenizer.
        String tokDir = src.checkpoint() != null ? a.str("tokenizer", src.checkpoint().toString()) : a.required("tokenizer");
        if (maxLen > src.config().maxSequenceLength()) {
            throw new IllegalArgumentException("--max-len " + maxLen + " exceeds the model's " + src.config().maxSequenceLength());
        }
        BlockSpec spec = blockSpec(a);
        int devices = a.integer("devices", 4);
        int rounds = a.integer("rounds", 100);
        int local = a.integer("local-iterations", 1);
        int batchSize = a.integer("batch", 32);
        int evalEvery = a.integer("eval-every", 0);
        double maxMinutes = a.number("max-minutes", 0);
        int stopRound = a.integer("stop-round", rounds);
        double warmup = a.number("warmup", 0.06);
        int trainLimit = a.integer("train-limit", 0);
        int devLimit = a.integer("dev-limit", 0);
        OptimizerSpec opt = OptimizerSpec.parse(a.str("optimizer", "adamw"), (float) a.number("lr", 1e-3),
                (float) a.number("weight-decay", 0.01)).withMaxGradNorm((float) a.number("clip", 0));
        boolean quiet = a.flag("quiet");

        long t0 = System.nanoTime();
        var trainEx = GlueReader.train(glue, task);
        var devEx = GlueReader.dev(glue, task);
        if (trainLimit > 0 && trainLimit < trainEx.size()) {
            trainEx = trainEx.subList(0, trainLimit);
        }
        if (devLimit > 0 && devLimit < devEx.size()) {
            devEx = devEx.subList(0, devLimit);
        }
        EncodedDataset train;
        EncodedDataset dev;
        try (TextTokenizer tok = TextTokenizer.fromDirectory(Path.of(tokDir))) {
            train = new EncodedDataset(tok, trainEx, maxLen);
            dev = new EncodedDataset(tok, devEx, maxLen);
        }
        BatchSource batches = train.shuffled(batchSize, a.integer("seed", 1) + 1000L);
        double prepSeconds = (System.nanoTime() - t0) / 1e9;

        List<List<Integer>> assignment = RoundRunner.roundRobin(src.config().numLayers(), devices);
        JsonObject rep = new JsonObject();
        rep.addProperty("task", task.name());
        rep.addProperty("trainExamples", train.size());
        rep.addProperty("devExamples", dev.size());
        rep.add("config", com.google.gson.JsonParser.parseString(src.config().toJson()));
        rep.addProperty("checkpoint", src.checkpoint() == null ? null : src.checkpoint().toString());
        rep.addProperty("blockKind", spec.kind().wireName());
        rep.addProperty("trainEmbeddings", spec.trainEmbeddings());
        rep.addProperty("devices", assignment.size());
        rep.addProperty("assignment", assignment.toString());
        rep.addProperty("localIterations", local);
        rep.addProperty("batchSize", batchSize);
        rep.addProperty("optimizer", opt.toString());
        rep.addProperty("prepSeconds", prepSeconds);
        JsonArray evals = new JsonArray();
        JsonArray roundsJson = new JsonArray();
        int done = 0;
        double lossSum = 0;
        int lossN = 0;
        long tTrain = System.nanoTime();
        LearningRateSchedule lr = LearningRateSchedule.warmupFraction(opt.learningRate(), warmup, rounds);
        try (RoundRunner runner = new RoundRunner(src, spec, opt, assignment)) {
            for (int r = 1; r <= rounds; r++) {
                runner.setLearningRate(lr.at(r));
                List<Batch> bs = new ArrayList<>(local);
                for (int i = 0; i < local; i++) {
                    bs.add(batches.next());
                }
                RoundRunner.RoundReport rr = runner.round(bs);
                done = r;
                lossSum += rr.meanLoss();
                lossN++;
                if (r <= 3 || r % Math.max(1, rounds / 20) == 0) {
                    roundsJson.add(roundJson(r, rr));
                }
                double elapsedMin = (System.nanoTime() - tTrain) / 60e9;
                boolean last = r >= Math.min(rounds, stopRound) || (maxMinutes > 0 && elapsedMin >= maxMinutes);
                if ((evalEvery > 0 && r % evalEvery == 0) || last) {
                    long te = System.nanoTime();
                    Map<String, Double> m = Evaluator.evaluate(runner.evaluationModel(), task, dev, 64);
                    JsonObject e = new JsonObject();
                    e.addProperty("round", r);
                    e.addProperty("trainMinutes", elapsedMin);
                    e.addProperty("meanTrainLoss", lossSum / lossN);
                    m.forEach(e::addProperty);
                    e.addProperty("evalSeconds", (System.nanoTime() - te) / 1e9);
                    evals.add(e);
                    if (!quiet) {
                        log.printf(Locale.ROOT, "round %d  %.1f min  loss %.4f  dev %s%n", r, elapsedMin, lossSum / lossN, m);
                    }
                    lossSum = 0;
                    lossN = 0;
                }
                if (last) {
                    break;
                }
            }
        }
        rep.addProperty("roundsPlanned", rounds);
        rep.addProperty("roundsRun", done);
        rep.addProperty("trainSeconds", (System.nanoTime() - tTrain) / 1e9);
        rep.add("evaluations", evals);
        rep.add("final", evals.get(evals.size() - 1));
        rep.add("roundSamples", roundsJson);
        return new GsonBuilder().setPrettyPrinting().create().toJson(rep);
    }

    private static JsonObject roundJson(int r, RoundRunner.RoundReport rr) {
        JsonObject o = new JsonObject();
        o.addProperty("round", r);
        o.addProperty("meanLoss", rr.meanLoss());
        o.addProperty("bytesUploaded", rr.bytesUploaded());
        o.addProperty("mergeSeconds", rr.mergeSeconds());
        JsonArray devs = new JsonArray();
        for (RoundResult d : rr.devices()) {
            JsonObject j = new JsonObject();
            j.addProperty("layers", d.layers().toString());
            j.addProperty("computeSeconds", d.computeSeconds());
            j.addProperty("peakRssBytes", d.peakRssBytes());
            j.addProperty("uploadBytes", d.updatedBlocks().length);
            devs.add(j);
        }
        o.add("devices", devs);
        return o;
    }

    private static String profile(Args a, PrintStream log) {
        int seq = a.integer("seq", 128);
        ModelSource src = source(a, a.integer("num-labels", 2), seq);
        BlockSpec spec = blockSpec(a);
        OptimizerSpec opt = OptimizerSpec.parse(a.str("optimizer", "adamw"), 1e-5f, 0f);
        Profiler.Options o = new Profiler.Options(src, spec, opt, a.integer("batch", 8), seq,
                a.integer("warmup", 1), a.integer("iterations", 3));
        double flops = a.number("host-flops", 0);
        if (flops <= 0) {
            flops = HostCalibration.gemmFlops();
        }
        Profiler.Result r = Profiler.run(o, flops);
        String profileOut = a.str("profile-out", null);
        if (profileOut != null) {
            try {
                Files.writeString(Path.of(profileOut), r.profileJson(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + profileOut, e);
            }
        }
        if (!a.flag("quiet")) {
            log.println(r.profileJson());
        }
        return r.reportJson();
    }

    private static String calibrate(Args a) {
        double f = HostCalibration.gemmFlops(a.integer("m", 1024), a.integer("k", 768), a.integer("n", 3072),
                a.integer("reps", 7));
        JsonObject o = new JsonObject();
        o.addProperty("hostFlops", f);
        o.addProperty("availableProcessors", Runtime.getRuntime().availableProcessors());
        return o.toString();
    }

    private static String memory(Args a, PrintStream log) {
        int steps = a.integer("steps", 1000);
        int every = a.integer("every", 100);
        int seq = a.integer("seq", 32);
        int batch = a.integer("batch", 8);
        ModelSource src = source(a, 2, seq);
        BlockSpec spec = blockSpec(a);
        OptimizerSpec opt = OptimizerSpec.parse(a.str("optimizer", "adamw"), 1e-4f, 0.01f);
        JsonObject o = new JsonObject();
        JsonArray series = new JsonArray();
        Profiler.Options po = new Profiler.Options(src, spec, opt, batch, seq, 0, 1);
        try (DeviceTrainer d = new DeviceTrainer(src, spec, opt)) {
            List<Integer> all = new ArrayList<>();
            for (int l = 1; l <= src.config().numLayers(); l++) {
                all.add(l);
            }
            List<Batch> one = List.of(Profiler.randomBatch(po, 5));
            long managed0 = -1;
            for (int s = 1; s <= steps; s++) {
                d.iterate(all, one);
                if (s == 1) {
                    managed0 = d.liveArrays();
                }
                if (s % every == 0 || s == 1) {
                    JsonObject p = new JsonObject();
                    p.addProperty("step", s);
                    p.addProperty("rssBytes", MemoryProbe.rssBytes());
                    p.addProperty("liveArrays", d.liveArrays());
                    Runtime rt = Runtime.getRuntime();
                    p.addProperty("jvmHeapCommittedBytes", rt.totalMemory());
                    p.addProperty("jvmHeapUsedBytes", rt.totalMemory() - rt.freeMemory());
                    series.add(p);
                    if (!a.flag("quiet")) {
                        log.printf(Locale.ROOT, "step %d rss %.1f MiB, JVM heap committed %.1f MiB, live NDArrays %d%n", s,
                                MemoryProbe.rssBytes() / 1048576.0, Runtime.getRuntime().totalMemory() / 1048576.0,
                                d.liveArrays());
                    }
                }
            }
            o.addProperty("liveArraysAfterStep1", managed0);
        }
        o.addProperty("steps", steps);
        o.add("series", series);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    /**
     * Forward, backward and optimizer seconds of one local iteration at each of {@code --depths}
     * (default {@code 1,mid,L}) on {@code --threads} intra-op threads (default: the engine's), as JSON.
     */
    private static String phases(Args a, PrintStream log) {
        int seq = a.integer("seq", 64);
        ModelSource src = source(a, a.integer("num-labels", 2), seq);
        BlockSpec spec = blockSpec(a);
        OptimizerSpec opt = OptimizerSpec.parse(a.str("optimizer", "adamw"), (float) a.number("lr", 1e-4),
                (float) a.number("weight-decay", 0.01));
        int layers = src.config().numLayers();
        String depthList = a.str("depths", "1," + Math.max(1, layers / 2) + "," + layers);
        int[] depths;
        try {
            depths = java.util.Arrays.stream(depthList.split(",")).map(String::trim).mapToInt(Integer::parseInt)
                    .distinct().sorted().toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--depths needs comma-separated integers, got '" + depthList + "'");
        }
        int threads = a.integer("threads", 0);
        int batch = a.integer("batch", 8);
        Profiler.Options po = new Profiler.Options(src, spec, opt, batch, seq, 0, 1);
        List<io.loladeft.finetune.train.PhaseBench.Point> points = io.loladeft.finetune.train.PhaseBench.run(src,
                spec, opt, Profiler.randomBatch(po, 17), depths, threads, a.integer("warmup", 2),
                a.integer("iterations", 5));
        var c = src.config();
        JsonObject o = new JsonObject();
        o.addProperty("framework", "engine");
        o.addProperty("family", c.family().wireName());
        o.addProperty("layers", c.numLayers());
        o.addProperty("hidden", c.hiddenSize());
        o.addProperty("heads", c.numHeads());
        o.addProperty("intermediate", c.intermediateSize());
        o.addProperty("vocab", c.vocabSize());
        o.addProperty("blockKind", spec.kind().wireName());
        o.addProperty("loraRank", spec.loraRank());
        o.addProperty("adapterSize", spec.adapterSize());
        o.addProperty("batchSize", batch);
        o.addProperty("seqLen", seq);
        o.addProperty("optimizer", opt.kind().wireName());
        o.addProperty("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        JsonArray pts = new JsonArray();
        for (var p : points) {
            JsonObject j = new JsonObject();
            j.addProperty("depth", p.depth());
            j.addProperty("trainableParameters", p.trainableParameters());
            for (var e : Map.of("forward", p.forward(), "backward", p.backward(), "optimizer", p.optimizer(),
                    "step", p.step()).entrySet()) {
                j.addProperty(e.getKey(), e.getValue().median());
                j.addProperty(e.getKey() + "Min", e.getValue().min());
            }
            pts.add(j);
            if (!a.flag("quiet")) {
                log.printf(Locale.ROOT, "depth %d: forward %.4f s, backward %.4f s, optimizer %.4f s, step %.4f s%n",
                        p.depth(), p.forward().median(), p.backward().median(), p.optimizer().median(),
                        p.step().median());
            }
        }
        o.add("points", pts);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    /** Options the parent handles itself; everything else goes to each depth's child JVM unchanged. */
    private static final Set<String> PARENT_ONLY = Set.of("depths", "heap", "env", "out", "quiet");

    private static String depthMemory(String[] argv, Args a, PrintStream log) {
        int seq = a.integer("seq", 64);
        int batch = a.integer("batch", 8);
        int steps = a.integer("steps", 3);
        int warmup = a.integer("warmup", 2);
        ModelSource src = source(a, 2, seq);
        BlockSpec spec = blockSpec(a);
        OptimizerSpec opt = OptimizerSpec.parse(a.str("optimizer", "adamw"), 1e-5f, 0.01f);
        if (a.flag("in-process")) {
            int depth = a.integer("depth", 1);
            DepthMemory.Sample s = DepthMemory.measure(src, spec, opt, batch, seq, depth, warmup, steps);
            String line = DepthMemory.sampleLine(s);
            log.println(line);
            return line;
        }
        a.str("depth", null);
        int layers = src.config().numLayers();
        List<Integer> depths = new ArrayList<>();
        String spec0 = a.str("depths", "1-" + layers);
        for (String part : spec0.split(",")) {
            String[] r = part.trim().split("-");
            int lo = Integer.parseInt(r[0].trim());
            int hi = r.length > 1 ? Integer.parseInt(r[1].trim()) : lo;
            for (int d = lo; d <= hi; d++) {
                if (d < 1 || d > layers) {
                    throw new IllegalArgumentException("--depths " + spec0 + ": depth " + d + " is outside 1.." + layers);
                }
                depths.add(d);
            }
        }
        // A fixed, pre-touched heap: the JVM's own pages are then all in the baseline, whatever the step allocates.
        String heap = a.str("heap", "1g");
        List<String> jvm = List.of("-Dai.djl.offline=true", "-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch");
        Map<String, String> env = new java.util.TreeMap<>();
        String envSpec = a.str("env", "");
        for (String kv : envSpec.split(",")) {
            if (!kv.isBlank()) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--env needs KEY=VALUE[,KEY=VALUE...], got '" + envSpec + "'");
                }
                env.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        List<String> child = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            String key = argv[i].substring(2);
            boolean isFlag = FLAGS.contains(key);
            if (!PARENT_ONLY.contains(key)) {
                child.add(argv[i]);
                if (!isFlag) {
                    child.add(argv[i + 1]);
                }
            }
            if (!isFlag) {
                i++;
            }
        }
        List<DepthMemory.Sample> samples = DepthMemory.runForked(jvm, env, child, depths, a.flag("quiet") ? null : log);
        return DepthMemory.report(src.config(), spec, batch, seq, steps, jvm, env, samples);
    }
}
