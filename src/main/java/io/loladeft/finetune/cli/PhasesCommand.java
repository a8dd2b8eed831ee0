package io.loladeft.finetune.cli;

import ai.djl.pytorch.jni.JniUtils;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.profile.Profiler;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import io.loladeft.finetune.train.PhaseBench;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code phases}: seconds of forward, backward and optimizer step of one local iteration at each of
 * {@code --depths} (default {@code 1,mid,L}) on {@code --threads} intra-op threads (default: the engine's); the
 * engine side of {@code src/bench/torch-vs-engine.sh}, which reads these field names.
 */
public final class PhasesCommand {

    static final Set<String> OPTIONS = ModelOptions.with(
            "seq", "batch", "num-labels", "depths", "threads", "warmup", "iterations", "lr", "weight-decay");

    /** @param threads intra-op threads, 0 for the engine's default */
    public record Settings(
            ModelSource source,
            BlockSpec blocks,
            OptimizerSpec optimizer,
            int batch,
            int seq,
            int[] depths,
            int threads,
            int warmup,
            int iterations,
            boolean quiet) {}

    /** Medians and minima, seconds, at one depth. */
    public record Point(
            int depth,
            long trainableParameters,
            double forward,
            double forwardMin,
            double backward,
            double backwardMin,
            double optimizer,
            double optimizerMin,
            double step,
            double stepMin) {}

    /** What {@code phases} reports: the shape it ran and a point per depth. */
    public record Report(
            String framework,
            String family,
            int layers,
            int hidden,
            int heads,
            int intermediate,
            int vocab,
            String blockKind,
            int rank,
            int bottleneck,
            int batchSize,
            int seqLen,
            String optimizer,
            int threads,
            List<Point> points) {}

    private PhasesCommand() {}

    static Settings settings(Args a) {
        int seq = a.integer("seq", 64);
        ModelSource src = ModelOptions.source(a, a.integer("num-labels", 2), seq);
        int layers = src.config().numLayers();
        String depthList = a.str("depths", "1," + Math.max(1, layers / 2) + "," + layers);
        int[] depths;
        try {
            depths = Arrays.stream(depthList.split(","))
                    .map(String::trim)
                    .mapToInt(Integer::parseInt)
                    .distinct()
                    .sorted()
                    .toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--depths needs comma-separated integers, got '" + depthList + "'");
        }
        OptimizerSpec opt = OptimizerSpec.parse(
                a.str("optimizer", "adamw"), (float) a.number("lr", 1e-4), (float) a.number("weight-decay", 0.01));
        return new Settings(
                src,
                ModelOptions.blockSpec(a),
                opt,
                a.integer("batch", 8),
                seq,
                depths,
                a.integer("threads", 0),
                a.integer("warmup", 2),
                a.integer("iterations", 5),
                a.flag("quiet"));
    }

    public static Report run(Settings s, PrintStream log) {
        Profiler.Options po = new Profiler.Options(s.source(), s.blocks(), s.optimizer(), s.batch(), s.seq(), 0, 1);
        List<PhaseBench.Point> measured = PhaseBench.run(
                s.source(),
                s.blocks(),
                s.optimizer(),
                Profiler.randomBatch(po, 17),
                s.depths(),
                s.threads(),
                s.warmup(),
                s.iterations());
        List<Point> points = new ArrayList<>();
        for (PhaseBench.Point p : measured) {
            points.add(new Point(
                    p.depth(),
                    p.trainableParameters(),
                    p.forward().median(),
                    p.forward().min(),
                    p.backward().median(),
                    p.backward().min(),
                    p.optimizer().median(),
                    p.optimizer().min(),
                    p.step().median(),
                    p.step().min()));
            if (!s.quiet()) {
                log.printf(
                        Locale.ROOT,
                        "depth %d: forward %.4f s, backward %.4f s, optimizer %.4f s, step %.4f s%n",
                        p.depth(),
                        p.forward().median(),
                        p.backward().median(),
                        p.optimizer().median(),
                        p.step().median());
            }
        }
        EncoderConfig c = s.source().config();
        return new Report(
                "engine",
                c.family().wireName(),
                c.numLayers(),
                c.hiddenSize(),
                c.numHeads(),
                c.intermediateSize(),
                c.vocabSize(),
                s.blocks().kind().wireName(),
                s.blocks().rank(),
                s.blocks().bottleneck(),
                s.batch(),
                s.seq(),
                s.optimizer().kind().wireName(),
                JniUtils.getNumThreads(),
                points);
    }
}
