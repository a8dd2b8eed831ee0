package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 4: at the largest sizes the service accepts (10,000 devices, 1,024 blocks, up to 1,024 per device;
 * loladeft.limits) every algorithm answers within its budget: a plan with an honest gap, or
 * {@link SolverTimeoutException} / {@link ProblemTooLargeException} (a 422 that says so). Budget 300 ms; the bound
 * asserted is 1.1 x 300 ms plus a fixed 250 ms of slack: the work between two deadline checks at these sizes (one
 * Hungarian row of 1,024 x 2,048, one packing step over 10,000 devices: a few ms each), the work done after the
 * deadline (assembling a plan of 10,000 devices, the whole-band bound) and a GC or JIT pause on the shared 2-core box
 * where other builds run. Not a micro-benchmark: before the fix these cases took 15 s and more than 250 s.
 */
class BudgetAtLimitsTest {

    private static final long BUDGET_MILLIS = 300;
    private static final double ALLOWED_MILLIS = 1.1 * BUDGET_MILLIS + 250;

    private final Planner planner = new Planner(new PlanningLimits(2e7, BUDGET_MILLIS, 200, 1e-4));

    static PlanningProblem atLimits(int devices, int maxPerDevice) {
        ModelSpec model = new ModelSpec(new RobertaShape(1024, 64, 2, 128, 100, 64), BlockSpec.lora(4, 8), 4, 4);
        List<Device> fleet = new ArrayList<>(Instances.fleet(devices, 12, 1e12));
        return PlanningProblem.of(fleet, model, 20e6).withMaxBlocksPerDevice(maxPerDevice);
    }

    private void withinBudget(PlanningProblem p, Algorithm a) {
        long t0 = System.nanoTime();
        String outcome;
        try {
            Plan plan = planner.plan(p, a);
            outcome = "plan, gap " + plan.solver().gap();
            assertTrue(
                    plan.solver().gap() >= 0 && plan.solver().gap() <= 1,
                    "gap " + plan.solver().gap());
            assertTrue(plan.lowerBoundSeconds() <= plan.roundLatencySeconds());
        } catch (SolverTimeoutException | ProblemTooLargeException e) {
            outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        double millis = (System.nanoTime() - t0) / 1e6;
        System.out.printf(
                "%s %d x %d (m = %d): %.0f ms, %s%n",
                a.wireName(), p.devices().size(), p.blocks().size(), p.maxBlocksPerDevice(), millis, outcome);
        assertTrue(
                millis < ALLOWED_MILLIS,
                a.wireName() + " took " + millis + " ms at " + p.devices().size() + " x "
                        + p.blocks().size() + " (m = " + p.maxBlocksPerDevice() + "), allowed " + ALLOWED_MILLIS);
    }

    @Test
    void oneBlockPerDeviceAtTheDenseCap() {
        PlanningProblem p = atLimits(2000, 1);
        // Warm up the code paths once on a small instance, so the JIT is not what is measured.
        planner.plan(atLimits(1100, 1).withBlocks(p.blocks().subList(0, 64)), Algorithm.JOINT);
        for (Algorithm a : List.of(Algorithm.JOINT, Algorithm.DUAL_ASCENT, Algorithm.EXACT)) {
            withinBudget(p, a);
        }
    }

    @Test
    void tenThousandDevices() {
        PlanningProblem p = atLimits(10_000, 1);
        for (Algorithm a : Algorithm.values()) {
            withinBudget(p, a);
        }
    }

    @Test
    void severalBlocksPerDevice() {
        for (int m : new int[] {2, 1024}) {
            PlanningProblem p = atLimits(m == 2 ? 1000 : 10_000, m);
            for (Algorithm a : List.of(
                    Algorithm.JOINT,
                    Algorithm.EQUAL_BANDWIDTH,
                    Algorithm.DEPTH_UNAWARE,
                    Algorithm.RANDOM,
                    Algorithm.EXACT)) {
                withinBudget(p, a);
            }
        }
    }
}
