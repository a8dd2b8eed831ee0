package io.loladeft.finetune.profile;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.finetune.blocks.BlockLayout;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures, on this host, the seconds of one local iteration and the peak memory when a device
 * trains one block at depth {@code d = 1..L}, and emits them as the planner's measured profile
 * {@code {"computeSeconds":[...],"memoryBytes":[...]}} (index {@code d-1}).
 *
 * <p>Time: median of {@code iterations} single local iterations after {@code warmup} ones, on
 * random token batches of the given shape (cost does not depend on the token values). Memory: the
 * process's peak RSS while training that block (weights, activations, gradients, optimizer state,
 * JVM; everything included). Depths are measured shallowest first; the planner requires
 * non-decreasing tables, so the emitted values are running maxima of the raw ones, which the
 * report keeps too.
 */
public final class Profiler {

    /** What to profile. {@code optimizer} is the local optimizer (its update is part of an iteration). */
    public record Options(
            ModelSource source,
            BlockSpec spec,
            OptimizerSpec optimizer,
            int batchSize,
            int seqLen,
            int warmup,
            int iterations) {
        public Options {
            if (batchSize <= 0 || seqLen < 3 || warmup < 0 || iterations <= 0) {
                throw new IllegalArgumentException("need batch > 0, seq >= 3, warmup >= 0, iterations > 0");
            }
        }
    }

    /** One depth's raw measurement. */
    public record Depth(
            int depth, int layer, double medianSeconds, double minSeconds, long peakRssBytes, long blockParameters) {}

    /** The profile (monotone tables), the raw measurements and the host calibration. */
    public record Result(
            Options options, List<Depth> raw, double[] computeSeconds, long[] memoryBytes, double hostFlops) {

        /** Exactly the planner's profile object. */
        public String profileJson() {
            JsonObject o = new JsonObject();
            JsonArray t = new JsonArray();
            JsonArray m = new JsonArray();
            for (double s : computeSeconds) {
                t.add(s);
            }
            for (long b : memoryBytes) {
                m.add(b);
            }
            o.add("computeSeconds", t);
            o.add("memoryBytes", m);
            return o.toString();
        }

        /** The profile rescaled to a device with {@code targetFlops} (memory unchanged). */
        public double[] computeSecondsFor(double targetFlops) {
            return HostCalibration.scale(computeSeconds, hostFlops, targetFlops);
        }

        /** Everything: config, raw per-depth values, the profile and the calibration. */
        public String reportJson() {
            JsonObject o = new JsonObject();
            var c = options.source().config();
            o.addProperty("layers", c.numLayers());
            o.addProperty("hidden", c.hiddenSize());
            o.addProperty("heads", c.numHeads());
            o.addProperty("intermediate", c.intermediateSize());
            o.addProperty("vocab", c.vocabSize());
            o.addProperty("blockKind", options.spec().kind().wireName());
            o.addProperty("rank", options.spec().rank());
            o.addProperty("bottleneck", options.spec().bottleneck());
            o.addProperty("batchSize", options.batchSize());
            o.addProperty("seqLen", options.seqLen());
            o.addProperty("optimizer", options.optimizer().kind().name().toLowerCase(Locale.ROOT));
            o.addProperty("iterations", options.iterations());
            o.addProperty("hostFlops", hostFlops);
            o.addProperty("availableProcessors", Runtime.getRuntime().availableProcessors());
            JsonArray raw = new JsonArray();
            for (Depth d : this.raw) {
                JsonObject r = new JsonObject();
                r.addProperty("depth", d.depth());
                r.addProperty("layer", d.layer());
                r.addProperty("medianSeconds", d.medianSeconds());
                r.addProperty("minSeconds", d.minSeconds());
                r.addProperty("peakRssBytes", d.peakRssBytes());
                r.addProperty("blockParameters", d.blockParameters());
                raw.add(r);
            }
            o.add("raw", raw);
            o.add("profile", JsonParser.parseString(profileJson()));
            return new GsonBuilder().setPrettyPrinting().create().toJson(o);
        }
    }

    private Profiler() {}

    public static Result run(Options o, double hostFlops) {
        int layers = o.source().config().numLayers();
        List<Depth> raw = new ArrayList<>();
        try (DeviceTrainer d = new DeviceTrainer(o.source(), o.spec(), o.optimizer())) {
            BlockLayout layout = d.layout();
            List<Batch> one = List.of(randomBatch(o, 17));
            for (int depth = 1; depth <= layers; depth++) {
                int layer = layout.layerAtDepth(depth);
                for (int w = 0; w < o.warmup(); w++) {
                    d.iterate(List.of(layer), one);
                }
                double[] s = new double[o.iterations()];
                long peak = 0;
                for (int i = 0; i < s.length; i++) {
                    DeviceTrainer.Measurement m = d.iterate(List.of(layer), one);
                    s[i] = m.computeSeconds();
                    peak = Math.max(peak, m.peakRssBytes());
                }
                Arrays.sort(s);
                raw.add(new Depth(depth, layer, s[s.length / 2], s[0], peak, layout.parameterCount(layer)));
            }
        }
        double[] t = new double[layers];
        long[] mem = new long[layers];
        for (int i = 0; i < layers; i++) {
            t[i] = Math.max(raw.get(i).medianSeconds(), i > 0 ? t[i - 1] : 0);
            mem[i] = Math.max(raw.get(i).peakRssBytes(), i > 0 ? mem[i - 1] : 0);
        }
        return new Result(o, raw, t, mem, hostFlops);
    }

    /** A batch of random tokens (every position real) in the profiled shape. */
    public static Batch randomBatch(Options o, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int b = o.batchSize();
        int s = o.seqLen();
        int vocab = o.source().config().vocabSize();
        long[] ids = new long[b * s];
        long[] mask = new long[b * s];
        float[] y = new float[b];
        int labels = o.source().config().numLabels();
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < s; j++) {
                ids[i * s + j] = j == 0 ? 0 : j == s - 1 ? 2 : 3 + r.nextInt(vocab - 4);
                mask[i * s + j] = 1;
            }
            y[i] = labels == 1 ? (float) r.nextDouble(5) : r.nextInt(labels);
        }
        return new Batch(b, s, ids, mask, y);
    }
}
