package io.loladeft.planning.channel;

import static io.loladeft.planning.channel.SimulatorTest.BITS;
import static io.loladeft.planning.channel.SimulatorTest.gamma;
import static io.loladeft.planning.channel.SimulatorTest.rate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loladeft.planning.Device;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The re-plan's choice between keeping the blocks and moving them to the round's optimum, against an oracle that
 * splits the band by bisection (SimulatorTest's) with the migration bits added by hand, and brute force over
 * assignments: the same instance, independently computed, across 40 seeded Rayleigh rounds.
 */
class ReplannerTest {

    private final Replanner replanner = new Replanner(new Planner());

    /** Two devices a, b (SimulatorTest.pair), two blocks of 1e6 parameters; layer 1 has depth 2. */
    private static double compute(PlanningProblem p, String device, int layer) {
        Device d = p.devices().stream()
                .filter(x -> x.name().equals(device))
                .findFirst()
                .orElseThrow();
        return d.profile().computeSeconds()[layer == 1 ? 1 : 0];
    }

    /** Min-max latency of a fixed one-block-each assignment sending {@code bits[k]}, by bisection on T. */
    static double split(double[] c, double[] bits, double[] g, double total) {
        double lo = 0;
        double hi = 1e6;
        for (int i = 0; i < 300; i++) {
            double t = 0.5 * (lo + hi);
            double need = 0;
            for (int k = 0; k < c.length; k++) {
                need += t > c[k]
                        ? SimulatorTest.bandwidthFor(bits[k] / (t - c[k]), g[k], total)
                        : Double.POSITIVE_INFINITY;
            }
            if (need <= total) {
                hi = t;
            } else {
                lo = t;
            }
        }
        return hi;
    }

    @Test
    void beforeTheFirstRoundItIsTheRoundsOptimumAndNothingMoves() {
        PlanningProblem p = SimulatorTest.pair();
        double[] gains = {-100, -106};
        Replanner.Replan r = replanner.replan(p, Map.of(), 96, 1000);
        assertThat(r.moved()).isFalse();
        assertThat(r.migrationSeconds()).isEmpty();
        double opt = SimulatorTest.optimum(p, gains);
        assertThat(r.plan().roundLatencySeconds()).isCloseTo(opt, within(1e-6 * opt));
        assertThat(r.optimumSeconds()).isCloseTo(opt, within(1e-6 * opt));
    }

    @Test
    void movesExactlyWhenTheOptimumPlusItsMigrationBeatsKeeping() {
        PlanningProblem mean = SimulatorTest.pair();
        double[][] draws = SimulatorTest.rayleighGains(mean, 7, 40, 1);
        // Start from the assignment the mean gains do not favour, so that moving is on the table.
        Map<String, List<Integer>> current = Map.of("a", List.of(2), "b", List.of(1));
        int moves = 0;
        int keeps = 0;
        for (double migration : new double[] {0, 32, 96, 320}) {
            for (double[] g : draws) {
                PlanningProblem p = RobustGains.withGains(mean, g);
                double[] gam = {gamma(g[0]), gamma(g[1])};
                double keep = split(
                        new double[] {compute(p, "a", 2), compute(p, "b", 1)},
                        new double[] {BITS, BITS},
                        gam,
                        p.bandwidthHz());
                // The other assignment, with each block's migration bits (1e6 parameters) added to its new device.
                double move = split(
                        new double[] {compute(p, "a", 1), compute(p, "b", 2)},
                        new double[] {BITS + 1e6 * migration, BITS + 1e6 * migration},
                        gam,
                        p.bandwidthHz());
                Replanner.Replan r = replanner.replan(p, current, migration, 1000);
                double expected = Math.min(keep, move);
                // The optimum for the round may be the current assignment itself; then nothing moves.
                boolean optimumIsCurrent = SimulatorTest.optimum(p, g) >= keep * (1 - 1e-9);
                assertThat(r.plan().roundLatencySeconds())
                        .as("migration %s, gains %s", migration, g[0])
                        .isCloseTo(expected, within(1e-6 * expected));
                if (!optimumIsCurrent && move < keep * (1 - 1e-6)) {
                    assertThat(r.moved()).isTrue();
                    assertThat(r.plan().assignments().stream()
                                    .filter(a -> a.device().equals("a"))
                                    .findFirst()
                                    .orElseThrow()
                                    .layers())
                            .containsExactly(1);
                    double sa = r.migrationSeconds().getOrDefault("a", 0.0);
                    var aa = r.plan().assignments().stream()
                            .filter(a -> a.device().equals("a"))
                            .findFirst()
                            .orElseThrow();
                    assertThat(sa).isCloseTo(1e6 * migration / rate(aa.bandwidthHz(), gam[0]), within(1e-9 * (1 + sa)));
                    moves++;
                } else if (keep < move * (1 - 1e-6)) {
                    assertThat(r.moved()).isFalse();
                    keeps++;
                }
            }
        }
        assertThat(moves).as("rounds that moved").isPositive();
        assertThat(keeps).as("rounds that kept").isPositive();
    }

    @Test
    void aDeviceThatLeftCannotKeepItsBlocks() {
        PlanningProblem two = SimulatorTest.pair();
        PlanningProblem withC = SimulatorTest.problem(
                2e6, two.devices().get(0), two.devices().get(1), SimulatorTest.device("c", -90, 0.1, 0.2));
        Map<String, List<Integer>> current = Map.of("c", List.of(1), "a", List.of(2));
        Replanner.Replan r = replanner.replan(two, current, 96, 1000);
        assertThat(r.keptSeconds()).isNaN();
        assertThat(r.plan().assignments()).extracting(a -> a.device()).containsExactlyInAnyOrder("a", "b");
        assertThat(r.moved()).isTrue();
        // With c still there, keeping is priced and c (fast, strong) keeps the deep block.
        Replanner.Replan stay = replanner.replan(withC, current, 96, 1000);
        assertThat(stay.keptSeconds()).isFinite();
    }
}
