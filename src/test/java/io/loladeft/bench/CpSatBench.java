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
 * The peer: OR-Tools CP-SAT (8 workers on this 2-core box) on the P1 instance K = N = 100 of {@link CrunchBench}
 * and on the equal-bandwidth P1 of {@link JbbaBench}'s instances (K = N = 1,000 is out of its reach: 10^6
 * booleans). The setup checks both reach the same
 * optimum. Timed: building and solving the CP-SAT model from the pair latencies (computing those is not timed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CpSatBench {

    @Param({"eqbw-20x12", "eqbw-50x24", "eqbw-100x24", "p1-100"})
    public String instance;

    /** CP-SAT's portfolio needs several workers to prove these optima; with 2 it stalls at FEASIBLE for minutes. */
    static final int WORKERS = 8;

    private double[][] lat;
    private PlanningProblem problem;
    private Algorithm algorithm;
    private final Planner planner = new Planner();

    @Setup
    public void setup() {
        PlanningProblem p = switch (instance) {
            case "p1-100" -> BenchInstances.crunch(100, 100, 42);
            case "eqbw-20x12" -> BenchInstances.jbba(20, 12, 7);
            case "eqbw-50x24" -> BenchInstances.jbba(50, 24, 7);
            case "eqbw-100x24" -> BenchInstances.jbba(100, 24, 7);
            default -> throw new IllegalArgumentException(instance);
        };
        lat = CpSatPeer.pairLatencies(p);
        problem = p;
        algorithm = instance.startsWith("p1") ? Algorithm.CRUNCH : Algorithm.EQUAL_BANDWIDTH;
        Plan plan = planner.plan(p, algorithm);
        CpSatPeer.requireSame(p, plan, CpSatPeer.solve(lat, WORKERS));
    }

    /** CRUNCH on the same instance, through the public planner (validation and plan assembly included). */
    @Benchmark
    public Plan crunch() {
        return planner.plan(problem, algorithm);
    }

    @Benchmark
    public double cpSat() {
        return CpSatPeer.solve(lat, WORKERS);
    }
}
