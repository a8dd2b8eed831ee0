package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * CRUNCH equals the exhaustive optimum of P1 (one block per device, given bandwidths), computed by
 * {@link IndependentOracle}, which shares no code with the solvers.
 */
class CrunchPropertyTest {

    private static double[] randomShares(CostModel cm, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        double[] hz = new double[cm.k];
        for (int d = 0; d < cm.k; d++) {
            hz[d] = cm.totalBandwidth / cm.k * (0.2 + 1.8 * r.nextDouble());
        }
        return hz;
    }

    private final Tally tally = new Tally();

    private void agreesWithExhaustive(PlanningProblem p, long seed) {
        CostModel cm = new CostModel(p);
        double[] hz = randomShares(cm, seed);
        double opt = new IndependentOracle(p).p1(hz);
        tally.count("feasible", opt < Double.POSITIVE_INFINITY);
        tally.count("memory-tight (some device cannot hold some block)", memoryTight(cm));
        if (opt == Double.POSITIVE_INFINITY) {
            assertThrows(InfeasibleProblemException.class, () -> Crunch.solve(cm, hz));
            return;
        }
        Crunch.Result r = Crunch.solve(cm, hz);
        assertEquals(opt, r.latency(), 1e-12 * opt, "CRUNCH latency vs exhaustive optimum");
        // The assignment read off really reaches that latency, within memory, one block per device.
        boolean[] used = new boolean[cm.k];
        double t = 0;
        for (int b = 0; b < cm.n; b++) {
            int d = r.blockToDevice()[b];
            assertTrue(!used[d], "device used twice");
            used[d] = true;
            assertTrue(cm.fits1(d, b), "memory");
            t = Math.max(t, cm.latency1(d, b, hz[d]));
        }
        assertEquals(opt, t, 1e-12 * opt);
    }

    @Test
    void chainInstancesMatchExhaustive() {
        Seeds.check(20240713L, 2500, this::chainInstancesMatchExhaustiveFor);
        assertCovered("chainInstancesMatchExhaustive");
    }

    private void chainInstancesMatchExhaustiveFor(long seed) {
        agreesWithExhaustive(Instances.random(seed, new Instances.Shape(7, 6, 1, true)), seed);
    }

    @Test
    void nonChainInstancesMatchExhaustive() {
        Seeds.check(7L, 500, this::nonChainInstancesMatchExhaustiveFor);
        assertCovered("nonChainInstancesMatchExhaustive");
    }

    private void nonChainInstancesMatchExhaustiveFor(long seed) {
        agreesWithExhaustive(Instances.random(seed, new Instances.Shape(6, 5, 1, false)), seed);
    }

    @Test
    void plannerCrunchWithFixedBandwidthsMatchesExhaustive() {
        Seeds.check(11L, 500, this::plannerCrunchWithFixedBandwidthsMatchesExhaustiveFor);
    }

    private void plannerCrunchWithFixedBandwidthsMatchesExhaustiveFor(long seed) {
        PlanningProblem p = Instances.random(seed, new Instances.Shape(6, 5, 1, true));
        SplittableRandom r = new SplittableRandom(seed);
        var devices = new ArrayList<Device>();
        int k = p.devices().size();
        for (Device d : p.devices()) {
            devices.add(r.nextBoolean() ? d.withBandwidthHz(p.bandwidthHz() / (k + 1) * (0.5 + r.nextDouble())) : d);
        }
        PlanningProblem q = p.withDevices(devices);
        CostModel cm = new CostModel(q);
        double opt = new IndependentOracle(q).p1(Baselines.crunchShares(cm));
        if (opt == Double.POSITIVE_INFINITY) {
            assertThrows(InfeasibleProblemException.class, () -> new Planner().plan(q, Algorithm.CRUNCH));
            return;
        }
        Plan plan = new Planner().plan(q, Algorithm.CRUNCH);
        PlanValidator.requireValid(q, plan);
        assertEquals(opt, plan.roundLatencySeconds(), 1e-12 * opt);
        for (Assignment a : plan.assignments()) {
            Device d = q.devices().stream()
                    .filter(x -> x.name().equals(a.device()))
                    .findFirst()
                    .orElseThrow();
            if (d.bandwidthHz() != null) {
                assertEquals(d.bandwidthHz(), a.bandwidthHz(), 0.0, "a fixed bandwidth is kept");
            }
        }
    }

    /** The run must have met feasible, infeasible and memory-tight instances, or it proved little. */
    private void assertCovered(String run) {
        tally.print(run);
        assertTrue(tally.of("feasible", true) > 0 && tally.of("feasible", false) > 0, "feasible and infeasible");
        assertTrue(tally.of("memory-tight (some device cannot hold some block)", true) > 0, "memory-tight");
    }

    private static boolean memoryTight(CostModel cm) {
        for (int d = 0; d < cm.k; d++) {
            for (int b = 0; b < cm.n; b++) {
                if (!cm.fits1(d, b)) {
                    return true;
                }
            }
        }
        return false;
    }
}
