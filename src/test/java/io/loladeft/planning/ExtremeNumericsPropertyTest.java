package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The numerical defects of issue 12 (point 5), each against instances from the extreme families: compute from
 * 1e-3 to 1e18 s-scale magnitudes (FLOP/s from 1e-3 to 1e18, profiles of 1e-3 to 1e18 s), channel gains down to
 * -200 dB, total bandwidth from 1 Hz to 1 THz, one device whose compute is 1e12 times its upload, one in rate
 * saturation. The yardstick is {@link IndependentOracle}, which shares no code with the solvers.
 */
class ExtremeNumericsPropertyTest {

    private static final ModelSpec TINY =
            new ModelSpec(new RobertaShape(4, 16, 2, 32, 100, 64), BlockSpec.lora(2, 4), 4, 4);

    private final Planner planner = new Planner();
    private final Tally tally = new Tally();

    /** Family drawn by seed: 0 wide magnitudes, 1 one device with compute 1e12 x its upload, 2 rate saturation. */
    static PlanningProblem extreme(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int family = r.nextInt(3);
        int m = r.nextInt(4) == 0 ? 2 : 1;
        int k = 2 + r.nextInt(3);
        int n = 1 + r.nextInt(m == 1 ? k : Math.min(4, k * m));
        List<Block> blocks = new ArrayList<>();
        long params = (long) Math.pow(10, 3 * r.nextDouble());
        for (int i = 0; i < n; i++) {
            blocks.add(new Block(4 - (i % 4), params));
        }
        double bw = Math.pow(10, 12 * r.nextDouble());
        Training t = new Training(1 + r.nextInt(4), 1 + r.nextInt(16), 1, 1 + r.nextInt(3), 32);
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            double flops = Math.pow(10, -3 + 21 * r.nextDouble());
            double gain = -200 * r.nextDouble();
            double tx = -30 + 70 * r.nextDouble();
            Device d = Device.of("d" + i, flops, 1e30, tx, gain);
            if (r.nextInt(4) == 0) {
                double[] cs = new double[4];
                double[] ms = new double[4];
                double c = Math.pow(10, -3 + 21 * r.nextDouble());
                for (int j = 0; j < 4; j++) {
                    c *= 1 + r.nextDouble();
                    cs[j] = c;
                    ms[j] = 1e6 * (j + 1);
                }
                d = d.withProfile(new DeviceProfile(cs, ms));
            }
            devices.add(d);
        }
        PlanningProblem p = new PlanningProblem(devices, TINY, blocks, t, bw, -174, m, seed);
        if (family == 0) {
            return p;
        }
        // Shape device 0 from the oracle's own view of it: its upload with the whole band, alone.
        IndependentOracle o = new IndependentOracle(p);
        double bits = 32.0 * params;
        double gamma = gammaOf(devices.get(0), -174);
        if (family == 1) {
            double upload = bits / o.rate(0, bw / k);
            double computeSeconds = 1e12 * upload;
            double[] cs = new double[4];
            for (int j = 0; j < 4; j++) {
                cs[j] = computeSeconds * (1 + 1e-6 * j);
            }
            devices.set(0, devices.get(0).withProfile(new DeviceProfile(cs, new double[] {1e6, 2e6, 3e6, 4e6})));
        } else {
            // Rate saturation: gamma / ln 2 (the rate with unbounded bandwidth) only just above what device 0 needs
            // to finish by a latency close to the others': gamma far below the band, so R(B) is flat in B.
            double target = Math.pow(10, -2 + 4 * r.nextDouble());
            double wantGamma = bits / target * Math.log(2) * (1 + Math.pow(10, -1 - 5 * r.nextDouble()));
            double gainDb = devices.get(0).channelGainDb() + 10 * Math.log10(wantGamma / gamma);
            if (Double.isFinite(gainDb)) {
                Device d0 = devices.get(0);
                devices.set(
                        0,
                        new Device(
                                d0.name(),
                                d0.computeFlops(),
                                d0.memoryBytes(),
                                d0.txPowerDbm(),
                                gainDb,
                                d0.profile(),
                                null));
            }
        }
        return p.withDevices(devices);
    }

    static double gammaOf(Device d, double noiseDbm) {
        return Math.pow(10, (d.txPowerDbm() - 30) / 10)
                * Math.pow(10, d.channelGainDb() / 10)
                / Math.pow(10, (noiseDbm - 30) / 10);
    }

    @Test
    void exactIsNeverWorseThanEqualBandwidthAndMatchesTheIndependentOptimum() {
        Seeds.check(20261201L, 400, this::exactIsNeverWorseThanEqualBandwidthAndMatchesTheIndependentOptimumFor);
        tally.print("extreme families");
        assertTrue(tally.of("planned", true) >= 200, "too few plannable extreme instances");
        assertTrue(tally.of("family", "compute 1e12 x upload") >= 50);
        assertTrue(tally.of("family", "rate saturation") >= 50);
    }

    private void exactIsNeverWorseThanEqualBandwidthAndMatchesTheIndependentOptimumFor(long seed) {
        PlanningProblem p = extreme(seed);
        int family = new SplittableRandom(seed).nextInt(3);
        tally.count(
                "family", family == 0 ? "wide magnitudes" : family == 1 ? "compute 1e12 x upload" : "rate saturation");
        IndependentOracle oracle = new IndependentOracle(p);
        double opt = oracle.p2();
        Plan equal;
        Plan exact;
        try {
            equal = planner.plan(p, Algorithm.EQUAL_BANDWIDTH);
        } catch (InfeasibleProblemException e) {
            // Only a latency beyond any double (a rate that underflows) makes these instances infeasible.
            tally.count("planned", false);
            return;
        }
        exact = planner.plan(p, Algorithm.EXACT);
        tally.count("planned", true);
        PlanValidator.requireValid(p, equal);
        PlanValidator.requireValid(p, exact);
        for (Plan plan : List.of(equal, exact)) {
            assertTrue(
                    plan.solver().gap() >= 0 && plan.solver().gap() <= 1,
                    "gap " + plan.solver().gap());
        }
        assertTrue(
                exact.roundLatencySeconds() <= equal.roundLatencySeconds() * (1 + 1e-12),
                "exact " + exact.roundLatencySeconds() + " worse than equal-bandwidth " + equal.roundLatencySeconds());
        // The oracle's value is achievable, so the exact plan may not be above it (beyond the oracle's own 1e-12
        // bisection and the solver's 1e-10 tolerance), nor below the optimum.
        assertTrue(
                exact.roundLatencySeconds() <= opt * (1 + 1e-9),
                "exact " + exact.roundLatencySeconds() + " above the independent optimum " + opt);
        assertTrue(
                exact.roundLatencySeconds() >= opt * (1 - 1e-9),
                "exact " + exact.roundLatencySeconds() + " below the independent optimum " + opt);
        tally.count("exact gap to oracle", JbbaPropertyTest.bucket(exact.roundLatencySeconds() / opt - 1));
        assertTrue(equal.roundLatencySeconds() >= opt * (1 - 1e-9), "equal-bandwidth beats the joint optimum");
    }

    @Test
    void aSubnormalFixedBandwidthCannotUploadInstantly() {
        assertTrue(Uplink.rate(1e-320, 1e6) > 0);
        assertTrue(Uplink.rate(1e-320, 1e6) < 1e-300);
        assertEquals(Double.POSITIVE_INFINITY, Uplink.uploadSeconds(1e6, 1e-320, 1e6));
        List<Device> fleet = new ArrayList<>(Instances.fleet(3, 1, 64e9));
        fleet.set(0, fleet.get(0).withBandwidthHz(1e-320));
        PlanningProblem p = PlanningProblem.of(fleet, TINY, 1e6)
                .withBlocks(List.of(new Block(1, 100), new Block(2, 100), new Block(3, 100)));
        InfeasibleProblemException e =
                assertThrows(InfeasibleProblemException.class, () -> planner.plan(p, Algorithm.CRUNCH));
        assertTrue(e.violations().get(0).subject().equals("devices[0].bandwidthHz"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot finish"), e.getMessage());
    }

    @Test
    void theValidatorComputesLowSnrRatesWithLog1p() {
        // gamma / B around 1e-17: log(1 + x) would be 0 (an infinite upload); log1p keeps every digit.
        Device weak = Device.of("weak", 1e12, 1e30, -30, -200);
        double gamma = gammaOf(weak, -174);
        double bw = gamma * 1e17;
        PlanningProblem p = PlanningProblem.of(List.of(weak), TINY, bw).withBlocks(List.of(new Block(1, 10)));
        Plan plan = planner.plan(p, Algorithm.EXACT);
        assertTrue(Double.isFinite(plan.roundLatencySeconds()));
        PlanValidator.requireValid(p, plan);
    }

    @Test
    void aSplitWithOneIllConditionedDeviceDoesNotStarveTheOthers() {
        // Device 0: compute 1e12 times its upload; device 1 and 2 ordinary. The split must give the ordinary
        // devices what they need, so the round is device 0's latency (its upload barely matters).
        double[] gamma = {1e6, 1e6, 1e6};
        double[] s = {1e3, 1e6, 1e6};
        double budget = 1e6;
        double up0 = s[0] / Uplink.rate(budget / 3, gamma[0]);
        double[] c = {1e12 * up0, 0.5, 0.5};
        BandwidthSplit.Split sp = BandwidthSplit.minMax(c, s, gamma, budget);
        double equal = 0;
        for (int i = 0; i < 3; i++) {
            equal = Math.max(equal, c[i] + s[i] / Uplink.rate(budget / 3, gamma[i]));
        }
        double sum = 0;
        for (double h : sp.hz()) {
            sum += h;
        }
        assertTrue(sum <= budget * (1 + 1e-12), "over the band: " + sum);
        assertTrue(sp.latency() <= equal, sp.latency() + " worse than the equal split " + equal);
    }
}
