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

/** JBBA (dual ascent) and the exact parametric solver side by side on the same instances. */
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
        double j = planner.plan(problem, Algorithm.JBBA).roundLatencySeconds();
        double e = planner.plan(problem, Algorithm.EXACT).roundLatencySeconds();
        if (j > e * (1 + 1e-3)) {
            throw new IllegalStateException("jbba " + j + " is more than 0.1% above exact " + e);
        }
    }

    @Benchmark
    public Plan jbba() {
        return planner.plan(problem, Algorithm.JBBA);
    }

    @Benchmark
    public Plan exact() {
        return planner.plan(problem, Algorithm.EXACT);
    }
}
