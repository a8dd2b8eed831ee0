package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Small hand-checked cases of the solver parts. */
class SolverUnitTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void hungarianFindsTheMinSumAssignment() {
        double[][] c = {{4, 1, 3}, {2, 0, 5}};
        // Row 0 -> col 1 (1) + row 1 -> col 0 (2) = 3 beats 0 + 3 = 3? tie broken either way; both 3.
        int[] a = Hungarian.solve(c);
        assertEquals(3.0, Hungarian.value(c, a));
        double[][] d = {{1, INF}, {INF, INF}};
        assertNull(Hungarian.solve(d));
        double[][] e = {{7, 2, 9}, {3, 8, 1}, {5, 6, 4}};
        assertEquals(2 + 1 + 5, Hungarian.value(e, Hungarian.solve(e)));
    }

    @Test
    void minMaxSplitEqualisesIdenticalDevicesAndGivesOneDeviceEverything() {
        BandwidthSplit.Split s =
                BandwidthSplit.minMax(new double[] {1, 1}, new double[] {1e6, 1e6}, new double[] {1e7, 1e7}, 2e6);
        assertEquals(1e6, s.hz()[0], 1e-3);
        assertEquals(1e6, s.hz()[1], 1e-3);
        double one = BandwidthSplit.minMax(new double[] {2}, new double[] {1e6}, new double[] {1e7}, 3e6)
                .hz()[0];
        assertEquals(3e6, one);
        // A slower device (more compute) gets more bandwidth and both finish together.
        BandwidthSplit.Split u =
                BandwidthSplit.minMax(new double[] {0.1, 0.5}, new double[] {1e6, 1e6}, new double[] {1e7, 1e7}, 2e6);
        assertTrue(u.hz()[1] > u.hz()[0]);
        double t0 = 0.1 + Uplink.uploadSeconds(1e6, u.hz()[0], 1e7);
        double t1 = 0.5 + Uplink.uploadSeconds(1e6, u.hz()[1], 1e7);
        assertEquals(t0, t1, 1e-9);
        assertEquals(2e6, u.hz()[0] + u.hz()[1], 1e-6);
    }

    @Test
    void squareRootRuleForTheDualBandwidthSubProblemInTheLinearRateLimit() {
        // Stationarity a R'(B) / R(B)^2 = eta, and the point is a minimum.
        double a = 2.0;
        double gamma = 1e7;
        double eta = 1e-9;
        double b = BandwidthSplit.solveMarginal(a, gamma, eta, 1e6);
        assertEquals(eta, BandwidthSplit.marginal(a, gamma, b), 1e-9 * eta);
        // Minimiser of a/R(B) + eta*B: nudging B either way does not lower it.
        double f = a / Uplink.rate(b, gamma) + eta * b;
        assertTrue(a / Uplink.rate(b * 1.01, gamma) + eta * b * 1.01 >= f);
        assertTrue(a / Uplink.rate(b * 0.99, gamma) + eta * b * 0.99 >= f);
    }

    @Test
    void simplexProjection() {
        double[] v = {0.5, 0.5, 1.0};
        DualAscent.projectOnSimplex(v);
        assertArrayEquals(new double[] {1.0 / 6, 1.0 / 6, 2.0 / 3}, v, 1e-12);
        double[] w = {-1, 3};
        DualAscent.projectOnSimplex(w);
        assertArrayEquals(new double[] {0, 1}, w, 1e-12);
    }

    /**
     * Two devices, two blocks, measured profiles and fixed bandwidths so every latency is easy to read.
     * Device "fast": 1 s / 2 s at depth 1 / 2. Device "slow": 3 s / 10 s. Uploads take about 21 us
     * (1,024 bits at ~48 Mbit/s). Options: fast takes depth 2 (2 s), slow depth 1 (3 s) -> 3 s;
     * or fast depth 1 (1 s), slow depth 2 (10 s) -> 10 s. CRUNCH must pick 3 s with "fast" on layer 1.
     */
    @Test
    void crunchHandCheckedTwoByTwo() {
        RobertaShape tiny = new RobertaShape(2, 8, 2, 16, 100, 16);
        ModelSpec m = new ModelSpec(tiny, BlockSpec.lora(1, 1), 4, 4);
        Device fast = Device.of("fast", 1e12, 100, 30, 0)
                .withProfile(new DeviceProfile(new double[] {1, 2}, new double[] {10, 20}))
                .withBandwidthHz(1e6);
        Device slow = Device.of("slow", 1e12, 100, 30, 0)
                .withProfile(new DeviceProfile(new double[] {3, 10}, new double[] {10, 20}))
                .withBandwidthHz(1e6);
        // The two layers' blocks only (no head): the hand check is about depth.
        List<Block> blocks = List.of(new Block(1, m.blockParams()), new Block(2, m.blockParams()));
        PlanningProblem p =
                new PlanningProblem(List.of(fast, slow), m, blocks, new Training(1, 1, 1, 5, 32), 2e6, -174, 1, 0);
        Plan plan = new Planner().plan(p, Algorithm.CRUNCH);
        PlanValidator.requireValid(p, plan);
        assertEquals(3.0, plan.roundLatencySeconds(), 1e-4);
        assertEquals(5 * plan.roundLatencySeconds(), plan.totalLatencySeconds(), 1e-12);
        assertEquals("slow", plan.bottleneckDevice());
        Assignment f = plan.assignments().get(0);
        assertEquals("fast", f.device());
        assertEquals(List.of(1), f.layers());
        assertEquals(1e6, f.bandwidthHz());
        assertEquals(0.0, plan.solver().gap());
        // Memory: "fast" may hold only depth 1 now, so it must take layer 2 and "slow" layer 1 (10 s).
        Device fastSmall = new Device("fast", 1e12, 15, 30, 0, fast.profile(), 1e6);
        PlanningProblem q = p.withDevices(List.of(fastSmall, slow));
        Plan tight = new Planner().plan(q, Algorithm.CRUNCH);
        PlanValidator.requireValid(q, tight);
        assertEquals(10.0, tight.roundLatencySeconds(), 1e-4);
    }
}
