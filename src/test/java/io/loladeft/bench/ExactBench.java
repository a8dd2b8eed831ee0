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
 * The exact P2 solver (parametric bisection over Hungarian least-bandwidth assignments) on JbbaBench's instances
 * with K >= N; the setup checks that JBBA is within 0.1% of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ExactBench {

    @Param({"20x12", "50x12", "100x12", "50x24", "100x24"})
    public String instance;

    private PlanningProblem problem;
    private final Planner planner = new Planner();

    @Setup
    public void setup() {
        String[] kn = instance.split("x");
        problem = BenchInstances.jbba(Integer.parseInt(kn[0]), Integer.parseInt(kn[1]), 7);
        double j = planner.plan(problem, Algorithm.JOINT).roundLatencySeconds();
        double e = planner.plan(problem, Algorithm.EXACT).roundLatencySeconds();
        if (j > e * (1 + 1e-3)) {
            throw new IllegalStateException("jbba " + j + " is more than 0.1% above exact " + e);
        }
    }

    @Benchmark
    public Plan exact() {
        return planner.plan(problem, Algorithm.EXACT);
    }
}
