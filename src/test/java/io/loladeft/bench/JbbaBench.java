package io.loladeft.bench;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Plan;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JBBA (dual ascent) on K = 20/50/100 devices with 12 (RoBERTa-base) and 24 (RoBERTa-large) blocks. K = 20 with
 * 24 blocks needs {@code maxBlocksPerDevice = 2} (fewer devices than blocks), so that point runs JBBA's
 * several-blocks path. The exact solver runs side by side in {@link ExactBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class JbbaBench {

    @Param({"20", "50", "100"})
    public int devices;

    @Param({"12", "24"})
    public int blocks;

    private PlanningProblem problem;
    private final Planner planner = new Planner();

    @Setup
    public void setup() {
        problem = BenchInstances.jbba(devices, blocks, 7);
        if (devices < blocks) {
            problem = problem.withMaxBlocksPerDevice(2);
        }
        planner.plan(problem, Algorithm.JOINT);
    }

    @Benchmark
    public Plan jbba() {
        return planner.plan(problem, Algorithm.JOINT);
    }
}
