package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every plan of every algorithm passes the shared validator, or the problem is infeasible for all of them. */
class AllAlgorithmsPropertyTest {

    private final Planner planner = new Planner();

    @Test
    void everyPlanIsValid() {
        Seeds.check(31337L, 600, this::everyPlanIsValidFor);
    }

    private void everyPlanIsValidFor(long seed) {
        boolean chain = (seed & 1) == 0;
        PlanningProblem p = Instances.random(seed, new Instances.Shape(9, 12, 3, chain));
        boolean p1Feasible = true;
        try {
            planner.plan(p, Algorithm.CRUNCH);
        } catch (InfeasibleProblemException e) {
            p1Feasible = false;
            assertFalse(e.violations().isEmpty());
        }
        for (Algorithm a : Algorithm.values()) {
            Plan plan;
            try {
                plan = planner.plan(p, a);
            } catch (ProblemTooLargeException e) {
                assertTrue(a == Algorithm.EXACT && e.size() > e.cap());
                continue;
            } catch (AlgorithmNotApplicableException e) {
                assertTrue(a == Algorithm.DUAL_ASCENT && p.maxBlocksPerDevice() > 1, a + ": " + e.getMessage());
                continue;
            } catch (InfeasibleProblemException e) {
                // Memory and slot feasibility do not depend on the algorithm (offload asks more: one device).
                assertTrue(a == Algorithm.OFFLOAD || !p1Feasible, a + " infeasible where crunch was not: " + e);
                assertFalse(e.violations().isEmpty());
                continue;
            }
            if (a != Algorithm.OFFLOAD) {
                assertTrue(p1Feasible || p.maxBlocksPerDevice() > 1, a + " planned what crunch found infeasible");
            }
            PlanValidator.requireValid(p, plan);
            assertTrue(plan.lowerBoundSeconds() <= plan.roundLatencySeconds());
        }
    }

    @Test
    void randomIsReproducibleFromItsSeed() {
        Seeds.check(5L, 200, this::randomIsReproducibleFromItsSeedFor);
    }

    private void randomIsReproducibleFromItsSeedFor(long seed) {
        PlanningProblem p = Instances.random(seed, new Instances.Shape(8, 8, 2, true));
        try {
            Plan a = planner.plan(p, Algorithm.RANDOM);
            Plan b = planner.plan(p, Algorithm.RANDOM);
            assertTrue(a.assignments().equals(b.assignments()));
        } catch (InfeasibleProblemException e) {
            assertThrows(InfeasibleProblemException.class, () -> planner.plan(p, Algorithm.CRUNCH));
        }
    }
}
