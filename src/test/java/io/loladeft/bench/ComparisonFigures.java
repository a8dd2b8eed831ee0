package io.loladeft.bench;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.InfeasibleProblemException;
import io.loladeft.planning.Plan;
import io.loladeft.planning.PlanValidator;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.Training;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * Round latency of every algorithm across fleet size, total bandwidth and memory budget, in the spirit of the
 * paper's figures. Writes {@code docs/figures/comparison.csv} and one SVG per sweep. Each point is the mean over
 * {@link #SEEDS} seeded fleets of {@link BenchInstances#fleet}; RoBERTa-large, LoRA r = 8 on all 24 layers and the
 * task head as a block of its own, one
 * block per device, batch 16, sequence 128, E = 1, q = 32, -174 dBm/Hz. Defaults: K = 40, B = 20 MHz, memory
 * 12 GB (each device 0.6-1.4 times it). Every plan passes {@link PlanValidator}; a point where some seed is
 * infeasible is left out (and counted in the CSV's {@code feasible} column). The paper's dual ascent
 * ({@code dual-ascent}) is its own curve; the CSV gives each algorithm's mean and largest ratio to {@code exact}'s
 * optimum over the seeds.
 *
 * <p>Run (docs/planning.md, section 5): {@code ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=target/cp.txt}, then {@code java -cp target/test-classes:target/classes:$(cat target/cp.txt)
 * io.loladeft.bench.ComparisonFigures docs/figures}.
 */
public final class ComparisonFigures {

    static final int SEEDS = 5;
    static final Algorithm[] ALGORITHMS = {
        Algorithm.EXACT,
        Algorithm.JOINT,
        Algorithm.DUAL_ASCENT,
        Algorithm.EQUAL_BANDWIDTH,
        Algorithm.DEPTH_UNAWARE,
        Algorithm.OFFLOAD,
        Algorithm.RANDOM
    };
    private static final String[] COLORS = {"#000000", "#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b"
    };

    private ComparisonFigures() {}

    /** One algorithm at one sweep value: mean latency, and its mean and largest ratio to {@code exact} per seed. */
    record Point(
            String sweep,
            double x,
            Algorithm algorithm,
            double meanLatency,
            int feasible,
            double meanRatio,
            double maxRatio) {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/figures");
        Files.createDirectories(out);
        Planner planner = new Planner();
        List<Point> points = new ArrayList<>();
        double[] fleet = {25, 30, 40, 60, 80, 100}; // 25 blocks: 24 layers and the head
        points.addAll(sweep(planner, "fleet", fleet, k -> problem((int) k, 20e6, 12e9)));
        double[] bw = {1, 2, 5, 10, 20, 50, 100};
        points.addAll(sweep(planner, "bandwidth", bw, mhz -> problem(40, mhz * 1e6, 12e9)));
        double[] mem = {4, 5, 6, 8, 12, 16};
        points.addAll(sweep(planner, "memory", mem, gb -> problem(40, 20e6, gb * 1e9)));

        StringBuilder csv = new StringBuilder(
                "sweep,x,algorithm,mean_round_latency_s,feasible_seeds,mean_ratio_to_exact,max_ratio_to_exact\n");
        for (Point p : points) {
            boolean none = Double.isNaN(p.meanLatency());
            csv.append(String.format(
                    Locale.ROOT,
                    "%s,%s,%s,%s,%d,%s,%s%n",
                    p.sweep(),
                    trim(p.x()),
                    p.algorithm().wireName(),
                    none ? "" : String.format(Locale.ROOT, "%.6f", p.meanLatency()),
                    p.feasible(),
                    none ? "" : String.format(Locale.ROOT, "%.6f", p.meanRatio()),
                    none ? "" : String.format(Locale.ROOT, "%.6f", p.maxRatio())));
        }
        Files.writeString(out.resolve("comparison.csv"), csv);
        Files.writeString(
                out.resolve("latency-vs-fleet.svg"),
                svg(points, "fleet", "Round latency vs fleet size (B = 20 MHz, 12 GB)", "devices K", false));
        Files.writeString(
                out.resolve("latency-vs-bandwidth.svg"),
                svg(
                        points,
                        "bandwidth",
                        "Round latency vs total bandwidth (K = 40, 12 GB)",
                        "bandwidth B (MHz, log scale)",
                        true));
        Files.writeString(
                out.resolve("latency-vs-memory.svg"),
                svg(
                        points,
                        "memory",
                        "Round latency vs memory budget (K = 40, B = 20 MHz)",
                        "memory budget (GB)",
                        false));
        System.out.println("wrote " + points.size() + " points to " + out.toAbsolutePath());
    }

    static PlanningProblem problem(int k, double bandwidthHz, double memoryBytes) {
        return new PlanningProblem(
                BenchInstances.fleet(k, 0, memoryBytes),
                BenchInstances.LARGE_LORA,
                PlanningProblem.oneBlockPerLayer(BenchInstances.LARGE_LORA),
                Training.defaults(),
                bandwidthHz,
                -174,
                1,
                0);
    }

    private static List<Point> sweep(Planner planner, String name, double[] xs, DoubleFunction<PlanningProblem> make) {
        List<Point> out = new ArrayList<>();
        for (double x : xs) {
            // Per algorithm: latency sum, feasible seeds, ratio-to-exact sum, largest ratio.
            Map<Algorithm, double[]> sums = new EnumMap<>(Algorithm.class);
            for (int seed = 1; seed <= SEEDS; seed++) {
                PlanningProblem base = make.apply(x);
                PlanningProblem p = base.withDevices(
                                BenchInstances.fleet(base.devices().size(), seed, memoryOf(name, x)))
                        .withSeed(seed);
                double optimum = Double.NaN;
                for (Algorithm a : ALGORITHMS) {
                    double[] s = sums.computeIfAbsent(a, z -> new double[4]);
                    try {
                        Plan plan = planner.plan(p, a);
                        PlanValidator.requireValid(p, plan);
                        double t = plan.roundLatencySeconds();
                        if (a == Algorithm.EXACT) {
                            optimum = t;
                        }
                        s[0] += t;
                        s[1] += 1;
                        s[2] += t / optimum;
                        s[3] = Math.max(s[3], t / optimum);
                    } catch (InfeasibleProblemException e) {
                        // counted as an infeasible seed
                    }
                }
            }
            for (Algorithm a : ALGORITHMS) {
                double[] s = sums.get(a);
                boolean all = s[1] == SEEDS;
                out.add(new Point(
                        name,
                        x,
                        a,
                        all ? s[0] / SEEDS : Double.NaN,
                        (int) s[1],
                        all ? s[2] / SEEDS : Double.NaN,
                        all ? s[3] : Double.NaN));
            }
        }
        return out;
    }

    private static double memoryOf(String sweep, double x) {
        return sweep.equals("memory") ? x * 1e9 : 12e9;
    }

    private static String trim(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    static String svg(List<Point> all, String sweep, String title, String xLabel, boolean logX) {
        List<Point> pts = all.stream()
                .filter(p -> p.sweep().equals(sweep) && !Double.isNaN(p.meanLatency()))
                .toList();
        double w = 640;
        double h = 400;
        double left = 70;
        double right = 170;
        double top = 40;
        double bottom = 50;
        double xMin = pts.stream().mapToDouble(Point::x).min().orElse(0);
        double xMax = pts.stream().mapToDouble(Point::x).max().orElse(1);
        double yMax = pts.stream().mapToDouble(Point::meanLatency).max().orElse(1) * 1.05;
        DoubleFunction<Double> fx = x -> {
            double t = logX
                    ? (Math.log(x) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))
                    : (x - xMin) / (xMax - xMin);
            return left + t * (w - left - right);
        };
        DoubleFunction<Double> fy = y -> top + (1 - y / yMax) * (h - top - bottom);
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n",
                w,
                h));
        s.append(String.format(Locale.ROOT, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>%n", w, h));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"20\" font-size=\"14\">%s</text>%n", left, title));
        double x0 = left;
        double x1 = w - right;
        double y0 = h - bottom;
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
                x0,
                y0,
                x1,
                y0));
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
                x0,
                top,
                x0,
                y0));
        for (int i = 0; i <= 5; i++) {
            double y = yMax * i / 5;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n",
                    x0,
                    fy.apply(y),
                    x1,
                    fy.apply(y),
                    x0 - 6,
                    fy.apply(y) + 4,
                    y));
        }
        pts.stream()
                .mapToDouble(Point::x)
                .distinct()
                .forEach(x -> s.append(String.format(
                        Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                        fx.apply(x),
                        y0 + 16,
                        trim(x))));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                (x0 + x1) / 2,
                h - 12,
                xLabel));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" "
                        + "text-anchor=\"middle\">round latency (s)</text>%n",
                (top + y0) / 2,
                (top + y0) / 2));
        for (int a = 0; a < ALGORITHMS.length; a++) {
            Algorithm alg = ALGORITHMS[a];
            StringBuilder poly = new StringBuilder();
            for (Point p : pts) {
                if (p.algorithm() == alg) {
                    poly.append(String.format(Locale.ROOT, "%.1f,%.1f ", fx.apply(p.x()), fy.apply(p.meanLatency())));
                    s.append(String.format(
                            Locale.ROOT,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                            fx.apply(p.x()),
                            fy.apply(p.meanLatency()),
                            COLORS[a]));
                }
            }
            String dash = alg == Algorithm.EXACT
                    ? " stroke-dasharray=\"6 3\""
                    : alg == Algorithm.DUAL_ASCENT ? " stroke-dasharray=\"2 2\"" : "";
            s.append(String.format(
                    Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    poly.toString().trim(),
                    COLORS[a],
                    dash));
            double ly = top + 10 + a * 20;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                            + "stroke-width=\"2\"%s/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n",
                    x1 + 15,
                    ly,
                    x1 + 40,
                    ly,
                    COLORS[a],
                    dash,
                    x1 + 46,
                    ly + 4,
                    alg.wireName()));
        }
        s.append("</svg>\n");
        return s.toString();
    }
}
