package io.loladeft.planning.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Assignment;
import io.loladeft.planning.Block;
import io.loladeft.planning.BlockSpec;
import io.loladeft.planning.Device;
import io.loladeft.planning.ModelSpec;
import io.loladeft.planning.Plan;
import io.loladeft.planning.PlanValidator;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.RobertaShape;
import io.loladeft.planning.Training;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The robust plan's promise is the exact quantile of its round latency, checked against a closed form, against
 * seeded draws through the simulator's own evaluation of a fixed plan, and by perturbing its split; the plan is
 * priced consistently (the independent {@link PlanValidator} recomputes it at the gains it states).
 */
class RobustPlannerTest {

    private final Planner planner = new Planner();
    private final RobustPlanner robust = new RobustPlanner(planner);

    static final ModelSpec SIX_LAYERS =
            new ModelSpec(new RobertaShape(6, 384, 12, 1536, 30522, 514), BlockSpec.lora(8, 16), 4, 4);

    /** Twelve devices of mixed speed and path loss (seeded), six layers and the head, 10 MHz. */
    static PlanningProblem fleet(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Device> ds = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ds.add(Device.of(
                    "d" + i,
                    (1 + 20 * r.nextDouble()) * 1e12,
                    8e9,
                    20 + 3 * r.nextDouble(),
                    -(95 + 30 * r.nextDouble())));
        }
        return new PlanningProblem(
                ds, SIX_LAYERS, PlanningProblem.oneBlockPerLayer(SIX_LAYERS), Training.defaults(), 10e6, -174, 1, seed);
    }

    static double[] meanGains(PlanningProblem p) {
        return p.devices().stream().mapToDouble(Device::channelGainDb).toArray();
    }

    @Test
    void oneDeviceQuantileIsTheClosedForm() {
        // Rayleigh: P(z > z_e) = 1 - epsilon at z_e = -ln(1 - epsilon), so T = c + s / (B log2(1 + gamma z_e / B))
        double c = 0.7;
        double bits = 4e6;
        double gamma = 3e7;
        double b = 2e6;
        for (double epsilon : new double[] {0.01, 0.1, 0.5}) {
            double ze = -Math.log(1 - epsilon);
            double expected = c + bits / (b * Math.log(1 + gamma * ze / b) / Math.log(2));
            double got = QuantileSplit.quantile(
                    new double[] {c},
                    new double[] {bits},
                    new double[] {gamma},
                    new double[] {b},
                    ChannelModel.rayleigh(1),
                    epsilon);
            assertThat(got).isCloseTo(expected, within(1e-10 * expected));
        }
    }

    @Test
    void ricianExponentTableMatchesTheCdf() {
        for (double k : new double[] {0.5, 4, 20}) {
            ChannelModel ch = ChannelModel.rician(1, k);
            OutageExponent h = OutageExponent.of(ch);
            for (double q : new double[] {1e-9, 1e-4, 0.01, 0.1, 0.3, 0.6}) {
                double z = ch.quantile(q);
                double exact = -Math.log1p(-q);
                assertThat(h.value(z)).isCloseTo(exact, within(1e-4 * exact));
            }
        }
    }

    @Test
    void keepsItsPromiseOnSeededDraws() {
        int rounds = 20_000;
        for (ChannelModel ch : List.of(ChannelModel.rayleigh(1), ChannelModel.rician(1, 4))) {
            PlanningProblem p = fleet(7);
            double epsilon = 0.1;
            RobustPlanner.RobustPlan rp = robust.plan(p, Algorithm.JOINT, ch, epsilon, 60_000);
            double promise = rp.plan().roundLatencySeconds();
            RealizedLatency realized = new RealizedLatency(p, rp.plan());
            GainDraws draws = new GainDraws(ch, meanGains(p), 3);
            int over = 0;
            for (int r = 0; r < rounds; r++) {
                if (realized.under(draws.next()) > promise) {
                    over++;
                }
            }
            double sd = Math.sqrt(epsilon * (1 - epsilon) / rounds);
            assertThat((double) over / rounds).as(ch.kind().wireName()).isCloseTo(epsilon, within(4 * sd));
        }
    }

    @Test
    void isPricedAtTheGainsItStatesAndBeatsStaticsOwnQuantile() {
        for (long seed = 1; seed <= 4; seed++) {
            PlanningProblem p = fleet(seed);
            double[] mean = meanGains(p);
            RobustPlanner.RobustPlan rp = robust.plan(p, Algorithm.JOINT, ChannelModel.rayleigh(1), 0.1, 60_000);
            double[] planned = mean.clone();
            for (int i = 0; i < planned.length; i++) {
                Double g = rp.plannedGainsDb().get(p.devices().get(i).name());
                if (g != null) {
                    planned[i] = g;
                    assertThat(g).isLessThan(mean[i]); // every involved device is planned below its mean
                }
            }
            assertThat(rp.plannedGainsDb()).hasSize(rp.plan().assignments().size());
            PlanValidator.requireValid(RobustGains.withGains(p, planned), rp.plan());
            // shift 0 is a candidate: the promise is never above static's own exact quantile
            Plan stat = planner.plan(p, Algorithm.JOINT);
            double staticQuantile = new RealizedLatency(p, stat).quantile(mean, ChannelModel.rayleigh(1), 0.1);
            assertThat(rp.plan().roundLatencySeconds()).isLessThanOrEqualTo(staticQuantile * (1 + 1e-12));
            assertThat(new RealizedLatency(p, rp.plan()).quantile(mean, ChannelModel.rayleigh(1), 0.1))
                    .isCloseTo(rp.plan().roundLatencySeconds(), within(1e-9 * staticQuantile));
        }
    }

    @Test
    void itsSplitCannotBeImprovedByMovingBandwidth() {
        PlanningProblem p = fleet(5);
        double[] mean = meanGains(p);
        ChannelModel ch = ChannelModel.rayleigh(1);
        RobustPlanner.RobustPlan rp = robust.plan(p, Algorithm.JOINT, ch, 0.05, 60_000);
        RealizedLatency base = new RealizedLatency(p, rp.plan());
        double[] c = base.computeSeconds();
        double[] bits = base.bits();
        double[] gamma = base.gammas(mean);
        double[] bw = base.bandwidthHz();
        double promise = QuantileSplit.quantile(c, bits, gamma, bw, ch, 0.05);
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 200; trial++) {
            int from = r.nextInt(bw.length);
            int to = r.nextInt(bw.length);
            if (from == to) {
                continue;
            }
            double[] moved = bw.clone();
            double delta = bw[from] * (r.nextBoolean() ? 1e-3 : 0.05);
            moved[from] -= delta;
            moved[to] += delta;
            assertThat(QuantileSplit.quantile(c, bits, gamma, moved, ch, 0.05))
                    .isGreaterThanOrEqualTo(promise * (1 - 1e-9));
        }
    }

    @Test
    void aStaticChannelIsTheMeanGainPlan() {
        PlanningProblem p = fleet(2);
        RobustPlanner.RobustPlan rp = robust.plan(p, Algorithm.JOINT, ChannelModel.staticChannel(), 0.1, 60_000);
        Plan mean = planner.plan(p, Algorithm.JOINT);
        assertThat(rp.plan().roundLatencySeconds()).isEqualTo(mean.roundLatencySeconds());
        assertThat(rp.plan().assignments()).isEqualTo(mean.assignments());
    }

    @Test
    void algorithmsWithFixedBandwidthsKeepThem() {
        PlanningProblem p = fleet(3);
        RobustPlanner.RobustPlan rp = robust.plan(p, Algorithm.CRUNCH, ChannelModel.rayleigh(1), 0.1, 60_000);
        double fair = p.bandwidthHz() / p.devices().size();
        for (Assignment a : rp.plan().assignments()) {
            assertThat(a.bandwidthHz()).isCloseTo(fair, within(1e-9 * fair));
        }
        Map<String, Double> gains = rp.plannedGainsDb();
        assertThat(gains)
                .containsOnlyKeys(
                        rp.plan().assignments().stream().map(Assignment::device).toList());
        assertThat(p.blocks()).extracting(Block::layer).hasSize(7);
    }
}
