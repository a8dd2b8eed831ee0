package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/** CRUNCH equals the exhaustive optimum of P1 (one block per device, given bandwidths). */
class CrunchProperties {

    private static double[] randomShares(CostModel cm, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        double[] hz = new double[cm.k];
        for (int d = 0; d < cm.k; d++) {
            hz[d] = cm.totalBandwidth / cm.k * (0.2 + 1.8 * r.nextDouble());
        }
        return hz;
    }

    private static void agreesWithExhaustive(PlanningProblem p, long seed) {
        CostModel cm = new CostModel(p);
        double[] hz = randomShares(cm, seed);
        double opt = Oracles.p1(cm, hz);
        Statistics.label("feasible").collect(opt < Double.POSITIVE_INFINITY);
        Statistics.label("memory-tight (some device cannot hold some block)").collect(memoryTight(cm));
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

    @Property(tries = 2500, seed = "20240713")
    void chainInstancesMatchExhaustive(@ForAll long seed) {
        agreesWithExhaustive(Instances.random(seed, new Instances.Shape(7, 6, 1, true)), seed);
    }

    @Property(tries = 500, seed = "7")
    void nonChainInstancesMatchExhaustive(@ForAll long seed) {
        agreesWithExhaustive(Instances.random(seed, new Instances.Shape(6, 5, 1, false)), seed);
    }

    @Property(tries = 500, seed = "11")
    void plannerCrunchWithFixedBandwidthsMatchesExhaustive(@ForAll long seed) {
        PlanningProblem p = Instances.random(seed, new Instances.Shape(6, 5, 1, true));
        SplittableRandom r = new SplittableRandom(seed);
        var devices = new java.util.ArrayList<Device>();
        int k = p.devices().size();
        for (Device d : p.devices()) {
            devices.add(r.nextBoolean() ? d.withBandwidthHz(p.bandwidthHz() / (k + 1) * (0.5 + r.nextDouble())) : d);
        }
        PlanningProblem q = p.withDevices(devices);
        CostModel cm = new CostModel(q);
        double opt = Oracles.p1(cm, Planner.crunchShares(cm));
        if (opt == Double.POSITIVE_INFINITY) {
            assertThrows(InfeasibleProblemException.class, () -> new Planner().plan(q, Algorithm.CRUNCH));
            return;
        }
        Plan plan = new Planner().plan(q, Algorithm.CRUNCH);
        PlanValidator.requireValid(q, plan);
        assertEquals(opt, plan.roundLatencySeconds(), 1e-12 * opt);
        for (Assignment a : plan.assignments()) {
            Device d = q.devices().stream().filter(x -> x.name().equals(a.device())).findFirst().orElseThrow();
            if (d.bandwidthHz() != null) {
                assertEquals(d.bandwidthHz(), a.bandwidthHz(), 0.0, "a fixed bandwidth is kept");
            }
        }
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
