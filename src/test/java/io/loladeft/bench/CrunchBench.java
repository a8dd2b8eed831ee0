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

/** CRUNCH through the public planner (validation, cost model and plan assembly included) at K = N. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CrunchBench {

    @Param({"100", "1000", "10000"})
    public int size;

    private PlanningProblem problem;
    private final Planner planner = new Planner();

    @Setup
    public void setup() {
        problem = BenchInstances.crunch(size, size, 42);
    }

    @Benchmark
    public Plan crunch() {
        return planner.plan(problem, Algorithm.CRUNCH);
    }
}
