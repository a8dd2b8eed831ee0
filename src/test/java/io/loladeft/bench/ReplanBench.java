package io.loladeft.bench;

import io.loladeft.planning.Assignment;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.channel.ChannelModel;
import io.loladeft.planning.channel.GainDraws;
import io.loladeft.planning.channel.Replanner;
import io.loladeft.planning.channel.RobustGains;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a job's re-plan costs per round ({@code replan: every-round}): {@link Replanner#replan} on the next of 256
 * pre-drawn Rayleigh rounds (coherence 1, seed 42) of {@code BenchInstances.jbba(K, N, 7)}, from the blocks the
 * previous invocation left where they are, with AdamW's migration price (96 bits per parameter). That is the exact
 * solve for the round's gains plus the keep and move candidates' splits. Target: at most 5 ms at 50 x 24.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReplanBench {

    static final int ROUNDS = 256;

    @Param({"50x24", "100x24"})
    public String instance;

    private PlanningProblem[] rounds;
    private final Replanner replanner = new Replanner(new Planner());
    private Map<String, List<Integer>> current = Map.of();
    private int next;

    @Setup
    public void setup() {
        String[] kn = instance.split("x");
        PlanningProblem mean = BenchInstances.jbba(Integer.parseInt(kn[0]), Integer.parseInt(kn[1]), 7);
        double[] meanDb =
                mean.devices().stream().mapToDouble(d -> d.channelGainDb()).toArray();
        GainDraws draws = new GainDraws(ChannelModel.rayleigh(1), meanDb, 42);
        rounds = new PlanningProblem[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            rounds[r] = RobustGains.withGains(mean, draws.next());
        }
    }

    @Benchmark
    public Replanner.Replan replan() {
        Replanner.Replan r = replanner.replan(rounds[next], current, 96, 10_000);
        Map<String, List<Integer>> now = new HashMap<>();
        for (Assignment a : r.plan().assignments()) {
            now.put(a.device(), a.layers());
        }
        current = now;
        next = (next + 1) % ROUNDS;
        return r;
    }
}
