package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** JBBA against equal-bandwidth and the exhaustive P2 optimum; exact equals it; lower bounds hold. */
class JbbaPropertyTest {

    private final Planner planner = new Planner();
    private final Tally tally = new Tally();

    @Test
    void jbbaIsNeverWorseThanEqualBandwidthAndWithinOnePercentOfExhaustive() {
        Seeds.check(424242L, 400, this::jbbaIsNeverWorseThanEqualBandwidthAndWithinOnePercentOfExhaustiveFor);
        tally.print("joint and dual-ascent vs exhaustive");
        assertTrue(tally.of("feasible", true) >= 100, "too few feasible instances were tested");
    }

    private void jbbaIsNeverWorseThanEqualBandwidthAndWithinOnePercentOfExhaustiveFor(long seed) {
        PlanningProblem p = Instances.random(seed, new Instances.Shape(5, 4, 1, true));
        double opt = new IndependentOracle(p).p2();
        tally.count("feasible", opt < Double.POSITIVE_INFINITY);
        if (opt == Double.POSITIVE_INFINITY) {
            return;
        }
        Plan jbba = planner.plan(p, Algorithm.JOINT);
        tally.count("joint gap to exhaustive", bucket(jbba.roundLatencySeconds() / opt - 1));
        Plan dual = planner.plan(p, Algorithm.DUAL_ASCENT);
        PlanValidator.requireValid(p, dual);
        tally.count("dual-ascent gap to exhaustive", bucket(dual.roundLatencySeconds() / opt - 1));
        tally.count("dual-ascent reported gap", bucket(dual.solver().gap()));
        assertTrue(dual.roundLatencySeconds() >= opt * (1 - 1e-9), "dual-ascent below the optimum");
        Plan equal = planner.plan(p, Algorithm.EQUAL_BANDWIDTH);
        Plan exact = planner.plan(p, Algorithm.EXACT);
        PlanValidator.requireValid(p, jbba);
        PlanValidator.requireValid(p, equal);
        PlanValidator.requireValid(p, exact);
        assertTrue(
                jbba.roundLatencySeconds() <= equal.roundLatencySeconds() * (1 + 1e-12),
                "jbba " + jbba.roundLatencySeconds() + " > equal-bandwidth " + equal.roundLatencySeconds());
        assertTrue(
                jbba.roundLatencySeconds() <= opt * 1.01, "jbba " + jbba.roundLatencySeconds() + " vs optimum " + opt);
        assertTrue(
                jbba.roundLatencySeconds() >= opt * (1 - 1e-9), "below the optimum: the oracle or the split is wrong");
        assertEquals(opt, exact.roundLatencySeconds(), 1e-8 * opt, "exact vs exhaustive");
        assertEquals(opt, jbba.roundLatencySeconds(), 1e-8 * opt, "joint (the exact parametric method) vs exhaustive");
        assertTrue(
                dual.roundLatencySeconds() <= equal.roundLatencySeconds() * (1 + 1e-12),
                "dual-ascent " + dual.roundLatencySeconds() + " > equal-bandwidth " + equal.roundLatencySeconds());
        for (Algorithm a :
                new Algorithm[] {Algorithm.JOINT, Algorithm.DUAL_ASCENT, Algorithm.EXACT, Algorithm.DEPTH_UNAWARE}) {
            Plan plan = planner.plan(p, a);
            assertTrue(
                    plan.lowerBoundSeconds() <= opt * (1 + 1e-12),
                    a + " lower bound " + plan.lowerBoundSeconds() + " above the P2 optimum " + opt);
        }
    }

    @Test
    void severalBlocksPerDeviceGivesValidPlansNoBetterThanExhaustive() {
        Seeds.check(99L, 250, this::severalBlocksPerDeviceGivesValidPlansNoBetterThanExhaustiveFor);
        tally.print("multi-block jbba vs exhaustive");
        assertTrue(tally.of("tested (feasible, m > 1)", true) >= 50, "too few multi-block instances were tested");
    }

    private void severalBlocksPerDeviceGivesValidPlansNoBetterThanExhaustiveFor(long seed) {
        PlanningProblem p = Instances.random(seed, new Instances.Shape(4, 5, 3, true));
        double opt = new IndependentOracle(p).p2();
        tally.count("tested (feasible, m > 1)", opt < Double.POSITIVE_INFINITY && p.maxBlocksPerDevice() > 1);
        if (opt == Double.POSITIVE_INFINITY || p.maxBlocksPerDevice() == 1) {
            return;
        }
        Plan jbba;
        try {
            jbba = planner.plan(p, Algorithm.JOINT);
        } catch (InfeasibleProblemException e) {
            throw new AssertionError("greedy packing missed a feasible instance, seed " + seed, e);
        }
        PlanValidator.requireValid(p, jbba);
        tally.count("multi-block jbba gap to exhaustive", bucket(jbba.roundLatencySeconds() / opt - 1));
        assertTrue(jbba.roundLatencySeconds() >= opt * (1 - 1e-9));
        assertTrue(jbba.lowerBoundSeconds() <= opt * (1 + 1e-12));
        // Equal blocks: the exact run search (gap tolerance 1e-4 for joint, so within it of the optimum).
        assertTrue(
                jbba.roundLatencySeconds() <= opt * (1 + 1e-4), "joint " + jbba.roundLatencySeconds() + " vs " + opt);
        Plan exact = planner.plan(p, Algorithm.EXACT);
        PlanValidator.requireValid(p, exact);
        assertEquals(opt, exact.roundLatencySeconds(), 1e-8 * opt);
        Plan equal = planner.plan(p, Algorithm.EQUAL_BANDWIDTH);
        assertTrue(jbba.roundLatencySeconds() <= equal.roundLatencySeconds() * (1 + 1e-12));
    }

    static String bucket(double gap) {
        if (gap <= 1e-6) {
            return "0 (optimal)";
        }
        if (gap <= 0.01) {
            return "(0, 1%]";
        }
        if (gap <= 0.05) {
            return "(1%, 5%]";
        }
        if (gap <= 0.2) {
            return "(5%, 20%]";
        }
        return "> 20%";
    }
}
