package io.loladeft.finetune.cli;

import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.profile.Profiler;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.MemoryProbe;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code memory}: resident memory over many training steps of every block, which must stay flat. */
public final class MemoryCommand {

    static final Set<String> OPTIONS = ModelOptions.with("steps", "every", "seq", "batch");

    /** Train {@code steps} steps of batch {@code batch x seq}, sampling every {@code every} steps. */
    public record Settings(
            ModelSource source,
            BlockSpec blocks,
            OptimizerSpec optimizer,
            int steps,
            int every,
            int seq,
            int batch,
            boolean quiet) {}

    /** One sample of the process's memory. */
    public record Point(int step, long rssBytes, long liveArrays, long jvmHeapCommittedBytes, long jvmHeapUsedBytes) {}

    /** What {@code memory} reports. */
    public record Report(long liveArraysAfterStep1, int steps, List<Point> series) {}

    private MemoryCommand() {}

    static Settings settings(Args a) {
        int seq = a.integer("seq", 32);
        return new Settings(
                ModelOptions.source(a, 2, seq),
                ModelOptions.blockSpec(a),
                OptimizerSpec.parse(a.str("optimizer", "adamw"), 1e-4f, 0.01f),
                a.integer("steps", 1000),
                a.integer("every", 100),
                seq,
                a.integer("batch", 8),
                a.flag("quiet"));
    }

    public static Report run(Settings s, PrintStream log) {
        List<Point> series = new ArrayList<>();
        long liveAfterStep1 = -1;
        Profiler.Options po = new Profiler.Options(s.source(), s.blocks(), s.optimizer(), s.batch(), s.seq(), 0, 1);
        try (DeviceTrainer d = new DeviceTrainer(s.source(), s.blocks(), s.optimizer())) {
            List<Integer> all = new ArrayList<>();
            for (int l = 1; l <= d.layout().numBlocks(); l++) {
                all.add(l);
            }
            List<Batch> one = List.of(Profiler.randomBatch(po, 5));
            for (int step = 1; step <= s.steps(); step++) {
                d.iterate(all, one);
                if (step == 1) {
                    liveAfterStep1 = d.liveArrays();
                }
                if (step % s.every() == 0 || step == 1) {
                    Runtime rt = Runtime.getRuntime();
                    Point p = new Point(
                            step,
                            MemoryProbe.rssBytes(),
                            d.liveArrays(),
                            rt.totalMemory(),
                            rt.totalMemory() - rt.freeMemory());
                    series.add(p);
                    if (!s.quiet()) {
                        log.printf(
                                Locale.ROOT,
                                "step %d rss %.1f MiB, JVM heap committed %.1f MiB, live NDArrays %d%n",
                                step,
                                p.rssBytes() / 1048576.0,
                                p.jvmHeapCommittedBytes() / 1048576.0,
                                p.liveArrays());
                    }
                }
            }
        }
        return new Report(liveAfterStep1, s.steps(), series);
    }
}
