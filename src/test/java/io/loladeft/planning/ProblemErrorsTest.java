package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Invalid and infeasible inputs give errors that name what is at fault; nothing is planned. */
class ProblemErrorsTest {

    private final Planner planner = new Planner();
    private final ModelSpec base = ModelSpec.robertaBaseLora();

    private PlanningProblem fleetOf(int k) {
        return PlanningProblem.of(Instances.fleet(k, 1, 8e9), base, 20e6);
    }

    private static List<String> subjects(List<Violation> v) {
        return v.stream().map(Violation::subject).toList();
    }

    @Test
    void nonPositiveCapacitiesAndNonFiniteNumbersAreNamed() {
        List<Device> ds = new ArrayList<>(fleetOf(13).devices());
        ds.set(2, Device.of("d2", 1e13, -5, 20, -100));
        ds.set(4, Device.of("d4", Double.NaN, 8e9, 20, -100));
        ds.set(5, Device.of("d5", 1e13, 8e9, Double.POSITIVE_INFINITY, -100));
        PlanningProblem p = fleetOf(13).withDevices(ds).withBandwidthHz(0);
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () -> planner.plan(p, Algorithm.JOINT));
        assertTrue(
                subjects(e.violations())
                        .containsAll(List.of(
                                "devices[2].memoryBytes",
                                "devices[4].computeFlops",
                                "devices[5].txPowerDbm",
                                "bandwidthHz")),
                e.violations().toString());
        assertTrue(e.getMessage().contains("must be a positive finite number, got -5.0"));
    }

    @Test
    void nonMonotoneOrShortProfilesAndDuplicateNamesAreRejected() {
        List<Device> ds = new ArrayList<>(fleetOf(13).devices());
        double[] cs = new double[12];
        double[] ms = new double[12];
        for (int i = 0; i < 12; i++) {
            cs[i] = 1 + i;
            ms[i] = 1e9 + i;
        }
        cs[7] = 0.5;
        ds.set(0, ds.get(0).withProfile(new DeviceProfile(cs, ms)));
        ds.set(1, ds.get(1).withProfile(new DeviceProfile(new double[3], ms)));
        ds.set(3, Device.of("d2", 1e13, 8e9, 20, -100));
        PlanningProblem p = fleetOf(13).withDevices(ds);
        InvalidProblemException e =
                assertThrows(InvalidProblemException.class, () -> planner.plan(p, Algorithm.CRUNCH));
        List<String> s = subjects(e.violations());
        assertTrue(s.contains("devices[0].profile.computeSeconds[7]"), s.toString());
        assertTrue(s.contains("devices[1].profile.computeSeconds"), s.toString());
        assertTrue(s.contains("devices[3].name"), s.toString());
        assertTrue(e.getMessage().contains("decreases from depth 7"));
    }

    @Test
    void blockOutOfRangeIsRejected() {
        PlanningProblem p = fleetOf(3).withBlocks(List.of(new Block(0, 10), new Block(14, 10), new Block(5, -1)));
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () -> planner.plan(p, Algorithm.JOINT));
        assertEquals(List.of("blocks[0].layer", "blocks[1].layer", "blocks[2].params"), subjects(e.violations()));
    }

    @Test
    void fewerDevicesThanBlocksWithOneBlockEach() {
        PlanningProblem p = fleetOf(5);
        for (Algorithm a : List.of(
                Algorithm.JOINT,
                Algorithm.CRUNCH,
                Algorithm.EQUAL_BANDWIDTH,
                Algorithm.EXACT,
                Algorithm.DEPTH_UNAWARE,
                Algorithm.RANDOM)) {
            InfeasibleProblemException e = assertThrows(InfeasibleProblemException.class, () -> planner.plan(p, a));
            assertEquals("devices", e.violations().get(0).subject());
            // twelve layers' blocks and the head's
            assertTrue(e.getMessage().contains("13 blocks need 13 devices"), e.getMessage());
        }
        // Raising maxBlocksPerDevice makes it plannable.
        Plan plan = planner.plan(p.withMaxBlocksPerDevice(3), Algorithm.JOINT);
        PlanValidator.requireValid(p.withMaxBlocksPerDevice(3), plan);
    }

    @Test
    void aBlockNoDeviceCanHoldIsNamed() {
        // 600 MB holds the backbone (496 MB) and a few layers of activations, not the deepest blocks.
        List<Device> ds = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ds.add(Device.of("d" + i, 1e13, 1e9, 20, -100));
        }
        // Blocks of one size (a chain), as the message under test is CRUNCH's chain path; the default
        // blocks differ since the top one carries the task head.
        List<Block> equal = new ArrayList<>();
        for (int l = 1; l <= 12; l++) {
            equal.add(new Block(l, base.blockParams()));
        }
        PlanningProblem p = PlanningProblem.of(ds, base, 20e6).withBlocks(equal);
        InfeasibleProblemException e =
                assertThrows(InfeasibleProblemException.class, () -> planner.plan(p, Algorithm.CRUNCH));
        assertEquals("block layer 1", e.violations().get(0).subject());
        assertTrue(e.getMessage().contains("no device has the memory"), e.getMessage());
        // Two devices with room for depth 12, three blocks deep enough to need them.
        List<Device> two = new ArrayList<>(ds);
        two.set(0, Device.of("big0", 1e13, 4e9, 20, -100));
        two.set(1, Device.of("big1", 1e13, 4e9, 20, -100));
        CostModel cm = new CostModel(p.withDevices(two));
        int needDepth = 1;
        while (needDepth < 12 && cm.memoryBytes(2, needDepth + 1, 24576, 24576) <= 1e9) {
            needDepth++;
        }
        InfeasibleProblemException e2 =
                assertThrows(InfeasibleProblemException.class, () -> planner.plan(p.withDevices(two), Algorithm.JOINT));
        assertTrue(e2.getMessage().contains("only 2 device(s) have the memory"), e2.getMessage());
    }

    @Test
    void exactRefusesLargeProblemsFastWithAClearMessage() {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            blocks.add(new Block(1 + i % 12, base.blockParams()));
        }
        // N^2 K = 400^2 * 400 = 6.4e7 units, over the default cap of 2e7.
        PlanningProblem p =
                PlanningProblem.of(Instances.fleet(400, 2, 8e9), base, 20e6).withBlocks(blocks);
        long t0 = System.nanoTime();
        ProblemTooLargeException e =
                assertThrows(ProblemTooLargeException.class, () -> planner.plan(p, Algorithm.EXACT));
        assertTrue((System.nanoTime() - t0) / 1e6 < 1000);
        assertTrue(e.getMessage().contains("use 'joint' instead"), e.getMessage());
        assertTrue(e.getMessage().contains("2.00e+07"), e.getMessage());
    }

    @Test
    void exactPastItsTimeBudgetThrowsWhileJointAndDualAscentReturnTheirBestSoFar() {
        PlanningProblem p = PlanningProblem.of(
                Instances.fleet(60, 3, 8e9),
                new ModelSpec(RobertaShape.ROBERTA_LARGE, BlockSpec.lora(8, 16), 4, 4),
                20e6);
        // Compiled first: a cold JVM can spend the whole millisecond before any plan exists.
        for (Algorithm a :
                List.of(Algorithm.EXACT, Algorithm.JOINT, Algorithm.DUAL_ASCENT, Algorithm.EQUAL_BANDWIDTH)) {
            for (int i = 0; i < 3; i++) {
                planner.plan(p, a);
            }
        }
        Planner hurried = new Planner(new PlanningLimits(1e9, 1, 200, 0));
        PlanningProblem large = PlanningProblem.of(
                Instances.fleet(400, 3, 8e9),
                new ModelSpec(RobertaShape.ROBERTA_LARGE, BlockSpec.lora(8, 16), 4, 4),
                20e6);
        assertThrows(SolverTimeoutException.class, () -> hurried.plan(large, Algorithm.EXACT));
        // The baseline at an ample budget: at 1 ms it may itself run out on a busy host.
        double equal = planner.plan(p, Algorithm.EQUAL_BANDWIDTH).roundLatencySeconds();
        // A budget that a busy host can overrun before the first plan is not a test of anything: 25 ms holds
        // a plan from both, and the one-iteration dual ascent below is the best-so-far case.
        Planner brief = new Planner(new PlanningLimits(1e9, 25, 200, 0));
        for (Algorithm a : List.of(Algorithm.JOINT, Algorithm.DUAL_ASCENT)) {
            Plan plan = brief.plan(p, a);
            PlanValidator.requireValid(p, plan);
            assertTrue(plan.roundLatencySeconds() <= equal, a + " worse than equal-bandwidth");
        }
        Planner oneStep = new Planner(new PlanningLimits(1e9, 5_000, 1, 0));
        Plan plan = oneStep.plan(p, Algorithm.DUAL_ASCENT);
        PlanValidator.requireValid(p, plan);
        assertEquals(1, plan.solver().iterations());
        assertTrue(plan.solver().gap() > 0);
        assertTrue(plan.roundLatencySeconds()
                <= oneStep.plan(p, Algorithm.EQUAL_BANDWIDTH).roundLatencySeconds());
    }

    @Test
    void dualAscentIsForOneBlockPerDeviceAndOffloadNamesTheConstraintItBreaks() {
        PlanningProblem p = PlanningProblem.of(Instances.fleet(6, 3, 64e9), ModelSpec.robertaBaseLora(), 20e6)
                .withMaxBlocksPerDevice(3);
        AlgorithmNotApplicableException e =
                assertThrows(AlgorithmNotApplicableException.class, () -> planner.plan(p, Algorithm.DUAL_ASCENT));
        assertTrue(e.getMessage().contains("use 'joint'"), e.getMessage());
        Plan offload = planner.plan(p, Algorithm.OFFLOAD);
        List<String> broken = PlanValidator.brokenConstraints(p, offload);
        assertEquals(1, broken.size());
        assertTrue(
                broken.get(0).startsWith("maxBlocksPerDevice: device '")
                        && broken.get(0).contains("trains 13" + " blocks, the request allows at most 3"),
                broken.get(0));
        assertTrue(PlanValidator.brokenConstraints(p, planner.plan(p, Algorithm.JOINT))
                .isEmpty());
    }

    @Test
    void wireNames() {
        assertEquals(Algorithm.EQUAL_BANDWIDTH, Algorithm.fromWireName("equal-bandwidth"));
        for (Algorithm a : Algorithm.values()) {
            assertEquals(a, Algorithm.fromWireName(a.wireName()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Algorithm.fromWireName("best"));
        assertTrue(
                e.getMessage()
                        .contains("joint, dual-ascent, crunch, exact, equal-bandwidth, depth-unaware, offload,"
                                + " random (jbba is an alias of joint)"),
                e.getMessage());
        assertEquals(Algorithm.JOINT, Algorithm.fromWireName("jbba"));
    }
}
