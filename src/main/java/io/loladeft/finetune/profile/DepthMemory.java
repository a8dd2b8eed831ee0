package io.loladeft.finetune.profile;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.MemoryProbe;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import io.loladeft.finetune.train.TorchThread;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The peak memory a training step needs per depth, apart from the process's runtime (JVM, libtorch's
 * code and threads): what the planner's analytic {@code Mem} models (docs/finetune.md, "Memory by depth
 * against the planner").
 *
 * <p>Per depth {@code d}: the engine is loaded and runs one small autograd step, the JVM heap is fixed
 * and pre-touched (in the forked mode) and garbage collected, and the process's <em>anonymous</em>
 * resident memory ({@code RssAnon}) is the runtime baseline. Then the model is built (frozen backbone,
 * every block, the head), {@code warmup} local iterations train the block at depth {@code d} (they also
 * touch every kernel's code pages), and over {@code steps} more iterations, each with a fresh high-water
 * mark ({@code /proc/self/clear_refs}), the peak is {@code VmHWM - RssFile}: resident memory minus
 * file-backed pages (shared-library code, which is runtime, not training). Training bytes are the peak
 * minus the baseline: weights, activations, gradients, optimizer state and the engine's transient
 * buffers, exactly what a device needs beyond its runtime.
 *
 * <p>Forked mode ({@link #runForked}) measures each depth in a fresh JVM, so freed memory that glibc
 * keeps cached from a deeper or shallower run cannot lift another depth's peak. With
 * {@code DEPTH_MEMORY_DEBUG} set in its environment a child also prints the memory after the model is built
 * and each step's peak to stderr.
 */
public final class DepthMemory {

    /** One depth's measurement, bytes. */
    public record Sample(
            int depth,
            int layer,
            long baselineAnonBytes,
            long peakAnonBytes,
            long trainingBytes,
            long parameterBytes,
            long blockParameters,
            long peakRssBytes) {

        JsonObject json() {
            JsonObject o = new JsonObject();
            o.addProperty("depth", depth);
            o.addProperty("layer", layer);
            o.addProperty("baselineAnonBytes", baselineAnonBytes);
            o.addProperty("peakAnonBytes", peakAnonBytes);
            o.addProperty("trainingBytes", trainingBytes);
            o.addProperty("parameterBytes", parameterBytes);
            o.addProperty("blockParameters", blockParameters);
            o.addProperty("peakRssBytes", peakRssBytes);
            return o;
        }

        static Sample of(JsonObject o) {
            return new Sample(
                    o.get("depth").getAsInt(),
                    o.get("layer").getAsInt(),
                    o.get("baselineAnonBytes").getAsLong(),
                    o.get("peakAnonBytes").getAsLong(),
                    o.get("trainingBytes").getAsLong(),
                    o.get("parameterBytes").getAsLong(),
                    o.get("blockParameters").getAsLong(),
                    o.get("peakRssBytes").getAsLong());
        }
    }

    private DepthMemory() {}

    /** Measures depth {@code depth} in this process (call it in a fresh JVM for a clean baseline). */
    public static Sample measure(
            ModelSource src, BlockSpec spec, OptimizerSpec opt, int batch, int seq, int depth, int warmup, int steps) {
        if (steps <= 0 || warmup < 0) {
            throw new IllegalArgumentException("need steps > 0 and warmup >= 0");
        }
        warmEngine();
        settle();
        long baseline = MemoryProbe.anonBytes();
        Profiler.Options po = new Profiler.Options(src, spec, opt, batch, seq, 0, 1);
        List<Batch> one = List.of(Profiler.randomBatch(po, 17));
        try (DeviceTrainer d = new DeviceTrainer(src, spec, opt)) {
            int layer = d.layout().layerAtDepth(depth);
            settle();
            if (System.getenv("DEPTH_MEMORY_DEBUG") != null) {
                System.err.printf(
                        "built: anon %.1f MiB (+%.1f), params %.1f MiB%n",
                        MemoryProbe.anonBytes() / 1048576.0,
                        (MemoryProbe.anonBytes() - baseline) / 1048576.0,
                        d.model().parameterBytes() / 1048576.0);
            }
            for (int w = 0; w < warmup; w++) {
                d.iterate(List.of(layer), one);
            }
            settle();
            long peakAnon = 0;
            long peakRss = 0;
            for (int i = 0; i < steps; i++) {
                DeviceTrainer.Measurement m = d.iterate(List.of(layer), one);
                long file = MemoryProbe.fileBytes();
                peakAnon = Math.max(peakAnon, m.peakRssBytes() - file);
                peakRss = Math.max(peakRss, m.peakRssBytes());
                if (System.getenv("DEPTH_MEMORY_DEBUG") != null) {
                    System.err.printf(
                            "step: peak %.1f MiB over baseline, after %.1f%n",
                            (m.peakRssBytes() - file - baseline) / 1048576.0,
                            (MemoryProbe.anonBytes() - baseline) / 1048576.0);
                }
            }
            return new Sample(
                    depth,
                    layer,
                    baseline,
                    peakAnon,
                    peakAnon - baseline,
                    d.model().parameterBytes(),
                    d.layout().parameterCount(layer),
                    peakRss);
        }
    }

    /** One small forward and backward, so libtorch's lazy state (threads, autograd engine) is in the baseline. */
    private static void warmEngine() {
        TorchThread.prepare();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.randomNormal(new ai.djl.ndarray.types.Shape(64, 64));
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = m.randomNormal(new ai.djl.ndarray.types.Shape(8, 64))
                        .matMul(w)
                        .softmax(-1)
                        .sum();
                gc.backward(y);
            }
        }
    }

    private static void settle() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Every depth of {@code depths}, each in a fresh JVM: {@code java <jvmOptions> -cp <this classpath>
     * FinetuneMain depth-memory <childArgs> --depth d --in-process}, with {@code env} added to the
     * environment. Returns the child's samples in order.
     */
    public static List<Sample> runForked(
            List<String> jvmOptions,
            Map<String, String> env,
            List<String> childArgs,
            List<Integer> depths,
            PrintStream log) {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Sample> out = new ArrayList<>();
        for (int d : depths) {
            List<String> cmd = new ArrayList<>();
            cmd.add(javaBin);
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("io.loladeft.finetune.cli.FinetuneMain");
            cmd.add("depth-memory");
            cmd.addAll(childArgs);
            cmd.add("--depth");
            cmd.add(Integer.toString(d));
            cmd.add("--in-process");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(env);
            try {
                Process p = pb.start();
                String last = null;
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (line.startsWith("{")) {
                            last = line;
                        }
                    }
                }
                int rc = p.waitFor();
                if (rc != 0 || last == null) {
                    throw new IllegalStateException("depth " + d + ": child exited with " + rc);
                }
                Sample s = Sample.of(JsonParser.parseString(last).getAsJsonObject());
                if (log != null) {
                    log.printf(
                            Locale.ROOT,
                            "depth %d: training %.1f MiB (peak anon %.1f, baseline %.1f)%n",
                            d,
                            s.trainingBytes() / 1048576.0,
                            s.peakAnonBytes() / 1048576.0,
                            s.baselineAnonBytes() / 1048576.0);
                }
                out.add(s);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + javaBin, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return out;
    }

    /** A one-line JSON of one sample (the child's output). */
    public static String sampleLine(Sample s) {
        return s.json().toString();
    }

    /** The report: shape, settings and one row per depth ({@code io.loladeft.bench.MemoryVsAnalytic} reads it). */
    public static String report(
            EncoderConfig c,
            BlockSpec spec,
            int batch,
            int seq,
            int steps,
            List<String> jvmOptions,
            Map<String, String> env,
            List<Sample> samples) {
        JsonObject o = new JsonObject();
        o.addProperty("family", c.family().name().toLowerCase(Locale.ROOT));
        o.addProperty("layers", c.numLayers());
        o.addProperty("hidden", c.hiddenSize());
        o.addProperty("heads", c.numHeads());
        o.addProperty("intermediate", c.intermediateSize());
        o.addProperty("vocab", c.vocabSize());
        o.addProperty("maxPositions", c.maxPositions());
        o.addProperty("typeVocab", c.typeVocabSize());
        o.addProperty("numLabels", c.numLabels());
        o.addProperty("attentionDropout", c.attentionDropout());
        o.addProperty("hiddenDropout", c.hiddenDropout());
        o.addProperty("blockKind", spec.kind().wireName());
        o.addProperty("rank", spec.rank());
        o.addProperty("alpha", spec.alpha());
        o.addProperty("bottleneck", spec.bottleneck());
        o.addProperty("batchSize", batch);
        o.addProperty("seqLen", seq);
        o.addProperty("steps", steps);
        o.addProperty("bytesPerWeight", 4);
        JsonArray jvm = new JsonArray();
        jvmOptions.forEach(jvm::add);
        o.add("jvmOptions", jvm);
        JsonObject e = new JsonObject();
        env.forEach(e::addProperty);
        o.add("environment", e);
        o.addProperty("availableProcessors", Runtime.getRuntime().availableProcessors());
        JsonArray rows = new JsonArray();
        samples.forEach(s -> rows.add(s.json()));
        o.add("depths", rows);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }
}
