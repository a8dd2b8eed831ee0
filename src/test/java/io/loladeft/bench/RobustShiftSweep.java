package io.loladeft.bench;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Plan;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.channel.ChannelModel;
import io.loladeft.planning.channel.GainDraws;
import io.loladeft.planning.channel.RealizedLatency;
import io.loladeft.planning.channel.RobustGains;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How far below the mean gains a fixed plan should be made, under Rayleigh fading without channel state: for each
 * fleet seed, plans ({@code joint}) on every device's mean gain shifted by 0, -2, ..., -26 dB, each evaluated on the
 * same 2,000 seeded Rayleigh rounds at the mean gains (mean, p90, p95 of the realized round latency). 0 dB is
 * {@code static}; {@code robust} at {@code epsilon = 0.1} plans at the union-bound quantile, about -23.6 dB for 25
 * involved devices. {@code BenchInstances.jbba(50, 24, seed)}, 20 MHz.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.loladeft.bench.RobustShiftSweep</pre>
 */
public final class RobustShiftSweep {

    private RobustShiftSweep() {}

    public static void main(String[] args) {
        Planner planner = new Planner();
        System.out.println("| fleet seed | shift dB | mean s | p90 s | p95 s |");
        System.out.println("|---|---|---|---|---|");
        for (long seed = 1; seed <= 3; seed++) {
            PlanningProblem mean = BenchInstances.jbba(50, 24, seed);
            double[] meanDb =
                    mean.devices().stream().mapToDouble(d -> d.channelGainDb()).toArray();
            GainDraws draws = new GainDraws(ChannelModel.rayleigh(1), meanDb, 42);
            List<double[]> rounds = new ArrayList<>();
            for (int r = 0; r < 2000; r++) {
                rounds.add(draws.next().clone());
            }
            for (int shift = 0; shift >= -26; shift -= 2) {
                double[] planned = meanDb.clone();
                for (int i = 0; i < planned.length; i++) {
                    planned[i] += shift;
                }
                Plan p = planner.plan(RobustGains.withGains(mean, planned), Algorithm.JOINT);
                RealizedLatency realized = new RealizedLatency(mean, p);
                double[] lat =
                        rounds.stream().mapToDouble(realized::under).sorted().toArray();
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %d | %.3f | %.3f | %.3f |%n",
                        seed,
                        shift,
                        Arrays.stream(lat).average().orElseThrow(),
                        lat[(int) (0.90 * lat.length)],
                        lat[(int) (0.95 * lat.length)]);
            }
        }
    }
}
