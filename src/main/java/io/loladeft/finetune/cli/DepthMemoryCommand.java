package io.loladeft.finetune.cli;

import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.profile.DepthMemory;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code depth-memory}: peak training memory per depth apart from the runtime, each depth in a fresh JVM
 * ({@link DepthMemory}; {@code io.loladeft.bench.MemoryVsAnalytic} compares it with the planner). With
 * {@code --in-process} it measures one {@code --depth} here: that is what each child runs.
 */
public final class DepthMemoryCommand {

    static final Set<String> OPTIONS =
            ModelOptions.with("seq", "batch", "steps", "warmup", "depths", "depth", "in-process", "heap", "env");

    /** Options the parent handles itself; everything else goes to each depth's child JVM unchanged. */
    private static final Set<String> PARENT_ONLY = Set.of("depths", "heap", "env", "out", "quiet");

    /**
     * @param childArgs the command line each child gets ({@code --depth} and {@code --in-process} are added)
     * @param jvm       the children's JVM options
     * @param env       variables added to the children's environment
     */
    public record Settings(
            ModelSource source,
            BlockSpec blocks,
            OptimizerSpec optimizer,
            int batch,
            int seq,
            int steps,
            int warmup,
            List<Integer> depths,
            List<String> jvm,
            Map<String, String> env,
            List<String> childArgs,
            boolean quiet) {}

    private DepthMemoryCommand() {}

    /** The in-process measurement of {@code --depth}, as the line the parent reads. */
    static String measureHere(Args a) {
        int seq = a.integer("seq", 64);
        DepthMemory.Sample s = DepthMemory.measure(
                ModelOptions.source(a, 2, seq),
                ModelOptions.blockSpec(a),
                optimizer(a),
                a.integer("batch", 8),
                seq,
                a.integer("depth", 1),
                a.integer("warmup", 2),
                a.integer("steps", 3));
        return DepthMemory.sampleLine(s);
    }

    static Settings settings(String[] argv, Args a) {
        int seq = a.integer("seq", 64);
        ModelSource src = ModelOptions.source(a, 2, seq);
        a.str("depth", null);
        int layers = src.config().numLayers();
        List<Integer> depths = new ArrayList<>();
        String spec = a.str("depths", "1-" + layers);
        for (String part : spec.split(",")) {
            String[] r = part.trim().split("-");
            int lo = Integer.parseInt(r[0].trim());
            int hi = r.length > 1 ? Integer.parseInt(r[1].trim()) : lo;
            for (int d = lo; d <= hi; d++) {
                if (d < 1 || d > layers) {
                    throw new IllegalArgumentException(
                            "--depths " + spec + ": depth " + d + " is outside 1.." + layers);
                }
                depths.add(d);
            }
        }
        // A fixed, pre-touched heap: the JVM's own pages are then all in the baseline, whatever the step allocates.
        String heap = a.str("heap", "1g");
        List<String> jvm = List.of("-Dai.djl.offline=true", "-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch");
        Map<String, String> env = new TreeMap<>();
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
            boolean isFlag = ModelOptions.FLAGS.contains(key);
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
        return new Settings(
                src,
                ModelOptions.blockSpec(a),
                optimizer(a),
                a.integer("batch", 8),
                seq,
                a.integer("steps", 3),
                a.integer("warmup", 2),
                depths,
                jvm,
                env,
                child,
                a.flag("quiet"));
    }

    /** One sample per depth, each from its own child JVM. */
    public static List<DepthMemory.Sample> run(Settings s, PrintStream log) {
        return DepthMemory.runForked(s.jvm(), s.env(), s.childArgs(), s.depths(), s.quiet() ? null : log);
    }

    static String json(Settings s, List<DepthMemory.Sample> samples) {
        return DepthMemory.report(
                s.source().config(), s.blocks(), s.batch(), s.seq(), s.steps(), s.jvm(), s.env(), samples);
    }

    private static OptimizerSpec optimizer(Args a) {
        return OptimizerSpec.parse(a.str("optimizer", "adamw"), 1e-5f, 0.01f);
    }
}
