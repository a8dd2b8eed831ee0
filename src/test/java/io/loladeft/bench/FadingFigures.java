package io.loladeft.bench;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.channel.ChannelModel;
import io.loladeft.planning.channel.Policy;
import io.loladeft.planning.channel.Simulation;
import io.loladeft.planning.channel.SimulationResult;
import io.loladeft.planning.channel.Simulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntFunction;

/**
 * The fading results of docs/planning.md (section 6): the three policies at 50 devices x 24 blocks (RoBERTa-large
 * LoRA r = 8, {@link BenchInstances#jbba}), Rayleigh, coherence 1, epsilon 0.1, draws seeded 42, on fleets seeded
 * 1..3; and the same across fleet size ({@code fading-vs-fleet.csv}, {@code .svg}) and uplink band at 50 devices
 * ({@code fading-vs-bandwidth.csv}, {@code .svg}).
 * Prints the target table and each simulation's wall time.
 *
 * <p>Run: {@code ./mvnw -q -B test-compile && ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=target/cp.txt && java -cp target/test-classes:target/classes:$(cat target/cp.txt)
 * io.loladeft.bench.FadingFigures docs/figures}.
 */
public final class FadingFigures {

    static final long DRAW_SEED = 42;
    static final double EPSILON = 0.1;
    static final List<Policy> POLICIES = List.of(Policy.STATIC, Policy.ROBUST, Policy.ADAPTIVE);
    private static final String[] COLORS = {"#1f77b4", "#2ca02c", "#d62728"};

    private FadingFigures() {}

    static SimulationResult simulate(Planner planner, int k, long fleetSeed, int rounds) {
        return simulate(planner, BenchInstances.jbba(k, 24, fleetSeed), rounds);
    }

    static SimulationResult simulate(Planner planner, PlanningProblem p, int rounds) {
        return new Simulator(planner)
                .run(
                        new Simulation(
                                p, Algorithm.JOINT, ChannelModel.rayleigh(1), rounds, DRAW_SEED, POLICIES, EPSILON),
                        600_000);
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/figures");
        Files.createDirectories(out);
        Planner planner = new Planner();
        int targetRounds = 300;
        System.out.println("| fleet seed | policy | planned (s) | mean (s) | p50 (s) | p95 (s) | mean / optimum mean"
                + " | p95 / optimum p95 | mean of per-round ratios | rounds over planned |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (long fleet = 1; fleet <= 3; fleet++) {
            long t0 = System.nanoTime();
            SimulationResult r = simulate(planner, 50, fleet, targetRounds);
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf(
                    Locale.ROOT,
                    "| %d | optimum | | %.3f | %.3f | %.3f | 1 | 1 | 1 | |%n",
                    fleet,
                    r.optimum().mean(),
                    r.optimum().p50(),
                    r.optimum().p95());
            for (SimulationResult.PolicyResult p : r.policies()) {
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %s |%n",
                        fleet,
                        p.policy().wireName(),
                        p.plannedRoundLatencySeconds() == null
                                ? ""
                                : String.format(Locale.ROOT, "%.3f", p.plannedRoundLatencySeconds()),
                        p.realized().mean(),
                        p.realized().p50(),
                        p.realized().p95(),
                        p.realized().mean() / r.optimum().mean(),
                        p.realized().p95() / r.optimum().p95(),
                        p.ratioToOptimum().mean(),
                        p.roundsOverPlanned() == null ? "" : p.roundsOverPlanned());
            }
            System.out.printf(
                    Locale.ROOT,
                    "(fleet %d: %d rounds in %.0f ms, %.2f ms per round; the robust plan's search %.0f ms over %d"
                            + " candidate assignments)%n",
                    fleet,
                    targetRounds,
                    ms,
                    ms / targetRounds,
                    r.policies().get(1).plan().solver().solveMillis(),
                    r.policies().get(1).plan().solver().iterations());
        }

        int sweepRounds = 100;
        int[] sizes = {25, 30, 40, 50, 70, 100};
        sweep(
                out,
                "fleet",
                "devices",
                sizes,
                "devices (24 layers + head = 25 blocks, RoBERTa-large LoRA, 20 MHz)",
                k -> {
                    List<PlanningProblem> fleets = new ArrayList<>();
                    for (long fleet = 1; fleet <= 3; fleet++) {
                        fleets.add(BenchInstances.jbba(k, 24, fleet));
                    }
                    return fleets;
                },
                planner,
                sweepRounds);
        int[] megahertz = {5, 10, 20, 50, 100};
        sweep(
                out,
                "bandwidth",
                "bandwidth_mhz",
                megahertz,
                "uplink band, MHz (50 devices, 25 blocks, log scale)",
                mhz -> {
                    List<PlanningProblem> fleets = new ArrayList<>();
                    for (long fleet = 1; fleet <= 3; fleet++) {
                        PlanningProblem p = BenchInstances.jbba(50, 24, fleet);
                        fleets.add(new PlanningProblem(
                                p.devices(),
                                p.model(),
                                p.blocks(),
                                p.training(),
                                mhz * 1e6,
                                p.noisePsdDbmPerHz(),
                                p.maxBlocksPerDevice(),
                                p.seed()));
                    }
                    return fleets;
                },
                planner,
                sweepRounds);
    }

    /** The three policies and the optimum, averaged over three fleets per point, to {@code fading-vs-NAME.csv/svg}. */
    static void sweep(
            Path out,
            String name,
            String column,
            int[] xs,
            String xLabel,
            IntFunction<List<PlanningProblem>> fleets,
            Planner planner,
            int rounds)
            throws IOException {
        StringBuilder csv = new StringBuilder(column + ",policy,mean_realized_s,p95_realized_s,mean_over_optimum\n");
        List<double[]> means = new ArrayList<>();
        for (int x : xs) {
            double[] m = new double[POLICIES.size() + 1];
            List<PlanningProblem> ps = fleets.apply(x);
            for (PlanningProblem problem : ps) {
                SimulationResult r = simulate(planner, problem, rounds);
                m[POLICIES.size()] += r.optimum().mean() / ps.size();
                for (int j = 0; j < POLICIES.size(); j++) {
                    SimulationResult.PolicyResult p = r.policies().get(j);
                    m[j] += p.realized().mean() / ps.size();
                    csv.append(String.format(
                            Locale.ROOT,
                            "%d,%s,%.6f,%.6f,%.4f%n",
                            x,
                            p.policy().wireName(),
                            p.realized().mean(),
                            p.realized().p95(),
                            p.realized().mean() / r.optimum().mean()));
                }
            }
            means.add(m);
            System.out.printf(
                    Locale.ROOT,
                    "%s=%d: static %.3f robust %.3f adaptive %.3f optimum %.3f%n",
                    column,
                    x,
                    m[0],
                    m[1],
                    m[2],
                    m[3]);
        }
        Files.writeString(out.resolve("fading-vs-" + name + ".csv"), csv.toString());
        Files.writeString(out.resolve("fading-vs-" + name + ".svg"), svg(xs, means, xLabel, name.equals("bandwidth")));
    }

    /** Mean realized round latency (log scale) against {@code xs} (log scale too if asked), one line per policy. */
    static String svg(int[] sizes, List<double[]> means, String xLabel, boolean logX) {
        double w = 560;
        double h = 360;
        double left = 70;
        double right = 150;
        double top = 40;
        double bottom = 50;
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double[] m : means) {
            for (int j = 0; j < POLICIES.size(); j++) {
                lo = Math.min(lo, m[j]);
                hi = Math.max(hi, m[j]);
            }
        }
        double ylo = Math.floor(Math.log10(lo));
        double yhi = Math.ceil(Math.log10(hi));
        DoubleUnaryOperator scale = logX ? Math::log10 : x -> x;
        double x0 = scale.applyAsDouble(sizes[0]);
        double x1 = scale.applyAsDouble(sizes[sizes.length - 1]);
        DoubleUnaryOperator fx = x -> left + (scale.applyAsDouble(x) - x0) / (x1 - x0) * (w - left - right);
        DoubleUnaryOperator fy = y -> top + (yhi - Math.log10(y)) / (yhi - ylo) * (h - top - bottom);
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                w,
                h));
        s.append(String.format(Locale.ROOT, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>%n", w, h));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"20\" font-size=\"14\">Rayleigh fading, coherence 1:"
                        + " mean realized round latency</text>%n",
                left));
        for (double d = ylo; d <= yhi; d++) {
            double y = fy.applyAsDouble(Math.pow(10, d));
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s s</text>%n",
                    left,
                    y,
                    w - right,
                    y,
                    left - 6,
                    y + 4,
                    d >= 0 ? String.valueOf((long) Math.pow(10, d)) : String.valueOf(Math.pow(10, d))));
        }
        for (int k : sizes) {
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n",
                    fx.applyAsDouble(k),
                    h - bottom + 18,
                    k));
        }
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                (left + w - right) / 2,
                h - 10,
                xLabel));
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
                left,
                h - bottom,
                w - right,
                h - bottom));
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
                left,
                top,
                left,
                h - bottom));
        for (int j = 0; j < POLICIES.size(); j++) {
            StringBuilder poly = new StringBuilder();
            for (int i = 0; i < sizes.length; i++) {
                double x = fx.applyAsDouble(sizes[i]);
                double y = fy.applyAsDouble(means.get(i)[j]);
                poly.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                s.append(String.format(
                        Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, COLORS[j]));
            }
            s.append(String.format(
                    Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"" + "%s/>%n",
                    poly.toString().trim(),
                    COLORS[j],
                    j == 2 ? " stroke-dasharray=\"5 3\"" : ""));
            double ly = top + 20 + 20 * j;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                            + " stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n",
                    w - right + 10,
                    ly,
                    w - right + 35,
                    ly,
                    COLORS[j],
                    w - right + 40,
                    ly + 4,
                    POLICIES.get(j).wireName() + (j == 2 ? " (= optimum)" : "")));
        }
        s.append("</svg>\n");
        return s.toString();
    }
}
