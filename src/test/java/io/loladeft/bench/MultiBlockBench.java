package io.loladeft.bench;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.MultiBlockPeers;
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
 * Several blocks per device ({@code maxBlocksPerDevice = 2}) on {@link BenchInstances#jbba} with 24 layers and the
 * task head as a block of its own (25 blocks), side by side in one run: {@code joint} (the run search to the proven gap 1e-4),
 * {@code exact} (to 1e-10), the old packing heuristic, and the same parametric method with each feasibility test a
 * MIP solved by OR-Tools' SCIP. The setup checks that SCIP and {@code exact} reach the same optimum, that
 * {@code joint} is within 1e-4 of it, and prints how far the old heuristic is from it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MultiBlockBench {

    @Param({"20", "50", "100"})
    public int devices;

    @Param({"joint", "exact", "old-heuristic", "scip"})
    public String solver;

    private PlanningProblem problem;
    private final Planner planner = new Planner();

    @Setup
    public void setup() {
        problem = BenchInstances.jbba(devices, 24, 7).withMaxBlocksPerDevice(2);
        double exact = planner.plan(problem, Algorithm.EXACT).roundLatencySeconds();
        double joint = planner.plan(problem, Algorithm.JOINT).roundLatencySeconds();
        double scip = MultiBlockPeers.scip(problem);
        double old = MultiBlockPeers.oldHeuristic(problem);
        if (Math.abs(scip - exact) > 1e-9 * exact || joint > exact * (1 + 1e-4)) {
            throw new IllegalStateException("exact " + exact + ", joint " + joint + ", SCIP " + scip);
        }
        System.out.printf(
                "%n%d x 24, m = 2: optimum %.6f s; joint %.6f; old heuristic %.6f (+%.2f %%)%n",
                devices, exact, joint, old, 100 * (old / exact - 1));
    }

    @Benchmark
    public double plan() {
        return switch (solver) {
            case "joint" -> planner.plan(problem, Algorithm.JOINT).roundLatencySeconds();
            case "exact" -> planner.plan(problem, Algorithm.EXACT).roundLatencySeconds();
            case "old-heuristic" -> MultiBlockPeers.oldHeuristic(problem);
            case "scip" -> MultiBlockPeers.scip(problem);
            default -> throw new IllegalArgumentException(solver);
        };
    }
}
