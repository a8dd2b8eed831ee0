package io.loladeft.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.profile.Profiler;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import io.loladeft.finetune.train.PhaseBench;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The MiniLM training step ({@link PhaseBench}, LoRA r=8) at one and at two intra-op threads in ONE JVM,
 * alternating, so that the two thread counts meet the same JIT, heap and load (docs/finetune.md §11.5).
 * Next to the phases it prints the run's wall time, the process's CPU time and the calling thread's: CPU
 * over wall is the parallelism the run reached, the calling thread's share shows the serial part
 * (libtorch's OpenMP worker is the rest). DJL 0.36's native library has no libtorch profiler
 * ({@code JniUtils.startProfile} is an unsatisfied link); {@code perf record} per thread is the way in.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.loladeft.bench.StepScaling [reps depth warmup]</pre>
 */
public final class StepScaling {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private StepScaling() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        ModelSource src = ModelSource.seeded(EncoderConfig.miniLmL6(2), 1);
        BlockSpec spec = BlockSpec.lora(8, 16f);
        OptimizerSpec opt = OptimizerSpec.adamw(1e-4f, 0.01f);
        Batch batch = Profiler.randomBatch(new Profiler.Options(src, spec, opt, 8, 64, 2, 5), 17);
        for (int r = 0; r < reps; r++) {
            for (int t = 1; t <= 2; t++) {
                long w0 = System.nanoTime();
                long c0 = OS.getProcessCpuTime();
                long m0 = THREADS.getCurrentThreadCpuTime();
                List<PhaseBench.Point> p = PhaseBench.run(src, spec, opt, batch, new int[] {depth}, t, warmup, 5);
                double wall = (System.nanoTime() - w0) / 1e9;
                double cpu = (OS.getProcessCpuTime() - c0) / 1e9;
                double main = (THREADS.getCurrentThreadCpuTime() - m0) / 1e9;
                PhaseBench.Point q = p.get(0);
                System.out.printf(
                        "rep %d threads %d (libtorch %d): forward %.1f backward %.1f optimizer %.2f step %.1f ms;"
                                + " run %.2f s wall, %.2f s process cpu, %.2f s main thread cpu%n",
                        r,
                        t,
                        JniUtils.getNumThreads(),
                        q.forward().median() * 1e3,
                        q.backward().median() * 1e3,
                        q.optimizer().median() * 1e3,
                        q.step().median() * 1e3,
                        wall,
                        cpu,
                        main);
            }
        }
    }
}
