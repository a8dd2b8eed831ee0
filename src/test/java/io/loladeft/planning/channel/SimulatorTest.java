package io.loladeft.planning.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Assignment;
import io.loladeft.planning.Block;
import io.loladeft.planning.BlockSpec;
import io.loladeft.planning.Device;
import io.loladeft.planning.DeviceProfile;
import io.loladeft.planning.InvalidProblemException;
import io.loladeft.planning.ModelSpec;
import io.loladeft.planning.Plan;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.RobertaShape;
import io.loladeft.planning.Training;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulations on fleets small enough to check by hand: measured profiles make compute a table lookup, so
 * the per-round optimum is recomputed here by brute force over assignments and bisection on the split, sharing no
 * code with the solvers or the simulator (rate, inverse and split written again from the formulas).
 */
class SimulatorTest {

    static final double BITS = 32e6; // 1e6 parameters at 32 bit
    static final double N0_DBM = -174;
    static final double TX_DBM = 23;

    static final ModelSpec TWO_LAYERS =
            new ModelSpec(new RobertaShape(2, 768, 12, 3072, 50265, 514), BlockSpec.lora(8, 16), 4, 4);

    /** A device whose compute is {@code seconds[depth - 1]}, with memory to spare. */
    static Device device(String name, double gainDb, double... seconds) {
        return new Device(name, 1e12, 1e12, TX_DBM, gainDb, new DeviceProfile(seconds, new double[] {1e9, 1e9}), null);
    }

    static PlanningProblem problem(double bandwidthHz, Device... devices) {
        return new PlanningProblem(
                List.of(devices),
                TWO_LAYERS,
                List.of(new Block(1, 1_000_000), new Block(2, 1_000_000)),
                new Training(16, 128, 1, 1, 32),
                bandwidthHz,
                N0_DBM,
                1,
                0);
    }

    /** Two devices, two blocks: both are involved, the fast one should take the deep block. */
    static PlanningProblem pair() {
        return problem(2e6, device("a", -100, 0.2, 0.5), device("b", -106, 0.3, 0.9));
    }

    /**
     * Fast compute behind a weak channel (a, b) against slow compute behind a strong one (c, d): on the mean gains
     * the fast pair wins, but it fades into long uploads; the quantile plan takes the strong pair.
     */
    static PlanningProblem fastWeakSlowStrong() {
        return problem(
                10e6,
                device("a", -110, 0.2, 0.4),
                device("b", -110, 0.2, 0.4),
                device("c", -95, 1.0, 1.2),
                device("d", -95, 1.0, 1.2));
    }

    // ---- the oracle ----

    static double gamma(double gainDb) {
        return Math.pow(10, (TX_DBM - 30) / 10) * Math.pow(10, gainDb / 10) / Math.pow(10, (N0_DBM - 30) / 10);
    }

    static double rate(double b, double g) {
        return b * Math.log1p(g / b) / Math.log(2);
    }

    /** The least bandwidth in [0, cap] reaching rate r, by bisection; +inf if even cap does not. */
    static double bandwidthFor(double r, double g, double cap) {
        if (rate(cap, g) < r) {
            return Double.POSITIVE_INFINITY;
        }
        double lo = 0;
        double hi = cap;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (rate(mid, g) >= r) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** The min-max latency of a fixed assignment ({@code c[k]} compute, gains {@code g}), by bisection on T. */
    static double split(double[] c, double[] g, double total) {
        double lo = 0;
        double hi = 0;
        for (int k = 0; k < c.length; k++) {
            lo = Math.max(lo, c[k] + BITS / rate(total, g[k]));
            hi = Math.max(hi, c[k] + BITS / rate(total / c.length, g[k]));
        }
        for (int i = 0; i < 200; i++) {
            double t = 0.5 * (lo + hi);
            double need = 0;
            for (int k = 0; k < c.length; k++) {
                need += t > c[k] ? bandwidthFor(BITS / (t - c[k]), g[k], total) : Double.POSITIVE_INFINITY;
            }
            if (need <= total) {
                hi = t;
            } else {
                lo = t;
            }
        }
        return hi;
    }

    /** Brute force over every way to give the two blocks to two distinct devices. */
    static double optimum(PlanningProblem p, double[] gainsDb) {
        int k = p.devices().size();
        double best = Double.POSITIVE_INFINITY;
        for (int deep = 0; deep < k; deep++) {
            for (int shallow = 0; shallow < k; shallow++) {
                if (deep == shallow) {
                    continue;
                }
                // the block at layer 1 has depth 2 in a 2-layer model, the one at layer 2 depth 1
                double[] c = {
                    p.devices().get(deep).profile().computeSeconds()[1],
                    p.devices().get(shallow).profile().computeSeconds()[0]
                };
                double[] g = {gamma(gainsDb[deep]), gamma(gainsDb[shallow])};
                best = Math.min(best, split(c, g, p.bandwidthHz()));
            }
        }
        return best;
    }

    /** The documented draw procedure, written again: one split generator per device, Exp(1) by inversion. */
    static double[][] rayleighGains(PlanningProblem p, long seed, int rounds, int coherence) {
        int k = p.devices().size();
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] rng = new SplittableRandom[k];
        for (int i = 0; i < k; i++) {
            rng[i] = root.split();
        }
        double[][] out = new double[rounds][k];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < k; i++) {
                if (r % coherence == 0) {
                    double u = ((rng[i].nextLong() >>> 11) + 0.5) * 0x1.0p-53;
                    out[r][i] = p.devices().get(i).channelGainDb() + 10 * Math.log10(-Math.log(u));
                } else {
                    out[r][i] = out[r - 1][i];
                }
            }
        }
        return out;
    }

    /** A fixed plan's latency under other gains, from its bandwidths and computes. */
    static double realized(PlanningProblem p, Plan plan, double[] gainsDb) {
        double worst = 0;
        for (Assignment a : plan.assignments()) {
            int i = p.devices().stream().map(Device::name).toList().indexOf(a.device());
            worst = Math.max(worst, a.computeSeconds() + BITS / rate(a.bandwidthHz(), gamma(gainsDb[i])));
        }
        return worst;
    }

    static SimulationResult run(
            PlanningProblem p, ChannelModel c, int rounds, long seed, double epsilon, Policy... policies) {
        return new Simulator(new Planner())
                .run(new Simulation(p, Algorithm.JOINT, c, rounds, seed, List.of(policies), epsilon), 60_000);
    }

    // ---- the tests ----

    @Test
    void oneDeviceOneBlockStaticChannelIsClosedForm() {
        PlanningProblem p = new PlanningProblem(
                List.of(device("solo", -100, 0.25)),
                new ModelSpec(new RobertaShape(1, 768, 12, 3072, 50265, 514), BlockSpec.lora(8, 16), 4, 4),
                List.of(new Block(1, 1_000_000)),
                new Training(16, 128, 1, 1, 32),
                1e6,
                N0_DBM,
                1,
                0);
        // the profile needs one entry per layer, and memory for it
        p = p.withDevices(List.of(new Device(
                "solo", 1e12, 1e12, TX_DBM, -100, new DeviceProfile(new double[] {0.25}, new double[] {1e9}), null)));
        SimulationResult r =
                run(p, ChannelModel.staticChannel(), 3, 1, 0.1, Policy.STATIC, Policy.ROBUST, Policy.ADAPTIVE);
        double expected = 0.25 + BITS / (1e6 * Math.log(1 + gamma(-100) / 1e6) / Math.log(2));
        for (SimulationResult.Round round : r.rounds()) {
            assertThat(round.gainsDb()).containsExactly(-100.0);
            assertThat(round.optimumSeconds()).isCloseTo(expected, within(1e-9 * expected));
            for (double t : round.latencySeconds()) {
                assertThat(t).isCloseTo(expected, within(1e-9 * expected));
            }
        }
        assertThat(r.policies().get(0).roundsOverPlanned()).isZero();
        assertThat(r.policies().get(0).realized().total()).isCloseTo(3 * expected, within(1e-8 * expected));
    }

    @Test
    void rayleighRoundsMatchTheOracleExactly() {
        PlanningProblem p = pair();
        int rounds = 40;
        SimulationResult r = run(p, ChannelModel.rayleigh(1), rounds, 2026, 0.1, Policy.STATIC, Policy.ADAPTIVE);
        double[][] gains = rayleighGains(p, 2026, rounds, 1);
        Plan planned = r.policies().get(0).plan();
        assertThat(planned.roundLatencySeconds())
                .isCloseTo(optimum(p, new double[] {-100, -106}), within(1e-8 * planned.roundLatencySeconds()));
        for (int i = 0; i < rounds; i++) {
            SimulationResult.Round round = r.rounds().get(i);
            assertThat(round.gainsDb()).containsExactly(gains[i]);
            double opt = optimum(p, gains[i]);
            assertThat(round.optimumSeconds()).as("round %d optimum", i).isCloseTo(opt, within(1e-8 * opt));
            double stat = realized(p, planned, gains[i]);
            assertThat(round.latencySeconds()[0]).as("round %d static", i).isCloseTo(stat, within(1e-9 * stat));
            // adaptive plans on the round's gains with joint, exact for one block per device
            assertThat(round.latencySeconds()[1]).isCloseTo(opt, within(1e-8 * opt));
            assertThat(round.latencySeconds()[0]).isGreaterThanOrEqualTo(round.optimumSeconds() * (1 - 1e-9));
        }
    }

    @Test
    void coherenceKeepsAGainForItsRoundsAndTheSeedDecides() {
        PlanningProblem p = pair();
        SimulationResult a = run(p, ChannelModel.rayleigh(3), 9, 5, 0.1, Policy.STATIC);
        SimulationResult b = run(p, ChannelModel.rayleigh(3), 9, 5, 0.1, Policy.ROBUST, Policy.STATIC);
        double[][] gains = rayleighGains(p, 5, 9, 3);
        for (int i = 0; i < 9; i++) {
            assertThat(a.rounds().get(i).gainsDb()).containsExactly(gains[i]);
            // the same seed, the same draws, whatever policies are simulated
            assertThat(b.rounds().get(i).gainsDb()).containsExactly(gains[i]);
            assertThat(b.rounds().get(i).latencySeconds()[1])
                    .isEqualTo(a.rounds().get(i).latencySeconds()[0]);
        }
        assertThat(gains[1]).containsExactly(gains[0]);
        assertThat(gains[2]).containsExactly(gains[0]);
        assertThat(gains[3]).doesNotContain(gains[0][0]);
        SimulationResult other = run(p, ChannelModel.rayleigh(3), 9, 6, 0.1, Policy.STATIC);
        assertThat(other.rounds().get(0).gainsDb()[0]).isNotEqualTo(gains[0][0]);
    }

    /**
     * The exact {@code 1 - epsilon} quantile of a two-device round under Rayleigh fading with {@code B_a} of the band
     * for the first device: {@code P(round <= T) = exp(-z_a(T) - z_b(T))}, {@code z_k(T)} the normalized gain device
     * {@code k} needs, by bisection on {@code T} (the rate's inverse written out again here).
     */
    static double rayleighQuantile(double[] c, double[] gainDb, double ba, double total, double epsilon) {
        double[] bw = {ba, total - ba};
        double lo = Math.max(c[0], c[1]);
        double hi = lo + 1e4;
        for (int i = 0; i < 300; i++) {
            double t = 0.5 * (lo + hi);
            double sum = 0;
            for (int k = 0; k < 2; k++) {
                double r = BITS / (t - c[k]);
                sum += (Math.pow(2, r / bw[k]) - 1) * bw[k] / gamma(gainDb[k]);
            }
            if (Math.exp(-sum) >= 1 - epsilon) {
                hi = t;
            } else {
                lo = t;
            }
        }
        return hi;
    }

    /** The least quantile over both assignments of {@link #pair()} and every split (golden section: quasi-convex). */
    static double bestRobustPair(double epsilon) {
        double best = Double.POSITIVE_INFINITY;
        double total = 2e6;
        double[][] computes = {{0.5, 0.3}, {0.2, 0.9}}; // a deep + b shallow, a shallow + b deep
        for (double[] c : computes) {
            double lo = 1e-6 * total;
            double hi = total - lo;
            double g = (Math.sqrt(5) - 1) / 2;
            for (int i = 0; i < 200; i++) {
                double m1 = hi - g * (hi - lo);
                double m2 = lo + g * (hi - lo);
                if (rayleighQuantile(c, new double[] {-100, -106}, m1, total, epsilon)
                        <= rayleighQuantile(c, new double[] {-100, -106}, m2, total, epsilon)) {
                    hi = m2;
                } else {
                    lo = m1;
                }
            }
            best = Math.min(best, rayleighQuantile(c, new double[] {-100, -106}, 0.5 * (lo + hi), total, epsilon));
        }
        return best;
    }

    @Test
    void robustPromisesTheLeastExactQuantileAndKeepsIt() {
        PlanningProblem p = pair();
        double epsilon = 0.2;
        int rounds = 2000;
        SimulationResult r = run(p, ChannelModel.rayleigh(1), rounds, 11, epsilon, Policy.ROBUST);
        SimulationResult.PolicyResult robust = r.policies().get(0);
        // two devices, two blocks: the brute force over both assignments and every split finds the same promise
        double promised = bestRobustPair(epsilon);
        assertThat(robust.plannedRoundLatencySeconds()).isCloseTo(promised, within(1e-6 * promised));
        // the promise is exact: the count of rounds over it stays within 3 standard deviations of epsilon, both ways
        double sd = Math.sqrt(epsilon * (1 - epsilon) / rounds);
        assertThat((double) robust.roundsOverPlanned() / rounds).isCloseTo(epsilon, within(3 * sd));
    }

    /**
     * The documented instance of docs/planning.md: fast compute behind weak channels against slow compute behind
     * strong ones, Rayleigh, coherence 1, seed 42, 500 rounds, epsilon 0.1. Static takes the fast pair (the
     * better plan on the mean gains) and suffers every deep fade; robust takes the strong pair.
     */
    @Test
    void robustBeatsStaticInMeanAndP95OnTheSameDraws() {
        PlanningProblem p = fastWeakSlowStrong();
        SimulationResult r =
                run(p, ChannelModel.rayleigh(1), 500, 42, 0.1, Policy.STATIC, Policy.ROBUST, Policy.ADAPTIVE);
        SimulationResult.PolicyResult stat = r.policies().get(0);
        SimulationResult.PolicyResult robust = r.policies().get(1);
        SimulationResult.PolicyResult adaptive = r.policies().get(2);
        assertThat(stat.plan().assignments()).extracting(Assignment::device).containsExactlyInAnyOrder("a", "b");
        assertThat(robust.plan().assignments()).extracting(Assignment::device).containsExactlyInAnyOrder("c", "d");
        assertThat(stat.plannedRoundLatencySeconds()).isLessThan(robust.plannedRoundLatencySeconds());
        assertThat(robust.realized().mean()).isLessThan(stat.realized().mean());
        assertThat(robust.realized().p95()).isLessThan(stat.realized().p95());
        assertThat(adaptive.realized().mean())
                .isCloseTo(r.optimum().mean(), within(1e-8 * r.optimum().mean()));
        assertThat(adaptive.realized().mean())
                .isLessThanOrEqualTo(robust.realized().mean());
        System.out.printf(
                "fast-weak/slow-strong, 500 rounds, seed 42: optimum mean %.4f p95 %.4f; static planned"
                        + " %.4f mean %.4f p95 %.4f over %d; robust planned %.4f mean %.4f p95 %.4f over %d%n",
                r.optimum().mean(),
                r.optimum().p95(),
                stat.plannedRoundLatencySeconds(),
                stat.realized().mean(),
                stat.realized().p95(),
                stat.roundsOverPlanned(),
                robust.plannedRoundLatencySeconds(),
                robust.realized().mean(),
                robust.realized().p95(),
                robust.roundsOverPlanned());
    }

    @Test
    void percentilesAreNearestRank() {
        SimulationResult.Stats s = SimulationResult.Stats.of(new double[] {5, 1, 4, 2, 3, 6, 7, 8, 9, 10});
        assertThat(s.mean()).isEqualTo(5.5);
        assertThat(s.p50()).isEqualTo(5);
        assertThat(s.p95()).isEqualTo(10);
        assertThat(s.max()).isEqualTo(10);
        assertThat(s.total()).isEqualTo(55);
    }

    @Test
    void badSettingsAreNamed() {
        List<Policy> twice = new ArrayList<>(List.of(Policy.STATIC, Policy.STATIC));
        assertThatThrownBy(() -> new Simulator(new Planner())
                        .run(
                                new Simulation(
                                        pair(),
                                        Algorithm.JOINT,
                                        new ChannelModel(ChannelModel.Kind.RAYLEIGH, 0, 0),
                                        0,
                                        1,
                                        twice,
                                        1.5),
                                1000))
                .isInstanceOf(InvalidProblemException.class)
                .satisfies(e -> assertThat(((InvalidProblemException) e).violations())
                        .extracting(v -> v.subject())
                        .containsExactly("channel.coherenceRounds", "rounds", "policies", "outageProbability"));
    }
}
