package io.loladeft.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * A job's rounds as a picture, three panels over the round number: the training loss; the dev
 * metrics where the job evaluated; and the round latency the plan predicted (dashed) against the
 * emulated one. Long jobs are drawn from the means of at most {@link #MAX_POINTS} buckets of rounds,
 * so the picture stays small whatever the round count.
 */
final class JobChartSvg {

    static final int MAX_POINTS = 600;
    private static final int WIDTH = 900;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int PANEL = 170;
    private static final int GAP = 50;
    private static final int TOP = 40;
    private static final String[] COLOURS = {"#e15759", "#59a14f", "#b07aa1", "#edc948"};

    private JobChartSvg() {}

    static String render(JobView job) {
        List<JobView.RoundMetrics> rounds = job.rounds();
        int height = TOP + 3 * (PANEL + GAP) + 10;
        StringBuilder svg = new StringBuilder(16_384);
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n",
                WIDTH,
                height,
                WIDTH,
                height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">Job %s (%s): %s, %d of %d rounds</text>\n",
                job.id(),
                escape(job.task()),
                job.state(),
                job.progress().round(),
                job.progress().rounds()));
        int maxRound = Math.max(1, job.progress().rounds());
        int y = TOP;
        panel(
                svg,
                y,
                "training loss",
                maxRound,
                List.of(new Series(
                        "training loss", "#4e79a7", false, points(rounds, JobView.RoundMetrics::trainingLoss))));
        y += PANEL + GAP;
        Map<String, List<double[]>> metrics = new TreeMap<>();
        for (JobView.RoundMetrics r : rounds) {
            if (r.devMetrics() != null) {
                r.devMetrics()
                        .forEach((k, v) -> metrics.computeIfAbsent(k, x -> new ArrayList<>())
                                .add(new double[] {r.round(), v}));
            }
        }
        List<Series> dev = new ArrayList<>();
        int c = 0;
        for (Map.Entry<String, List<double[]>> e : metrics.entrySet()) {
            dev.add(new Series("dev " + e.getKey(), COLOURS[c++ % COLOURS.length], false, e.getValue()));
        }
        panel(svg, y, dev.isEmpty() ? "dev metrics (none evaluated yet)" : "dev metrics", maxRound, dev);
        y += PANEL + GAP;
        panel(
                svg,
                y,
                "round latency, seconds",
                maxRound,
                List.of(
                        new Series(
                                "emulated",
                                "#f28e2b",
                                false,
                                points(rounds, JobView.RoundMetrics::emulatedRoundLatencySeconds)),
                        new Series(
                                "predicted by the plan",
                                "#333333",
                                true,
                                points(rounds, JobView.RoundMetrics::predictedRoundLatencySeconds))));
        return svg.append("</svg>\n").toString();
    }

    private record Series(String name, String colour, boolean dashed, List<double[]> points) {}

    /** (round, value) per bucket of rounds: every round when there are few, else bucket means. */
    static List<double[]> points(List<JobView.RoundMetrics> rounds, ToDoubleFunction<JobView.RoundMetrics> value) {
        List<double[]> out = new ArrayList<>();
        int per = Math.max(1, (rounds.size() + MAX_POINTS - 1) / MAX_POINTS);
        for (int i = 0; i < rounds.size(); i += per) {
            int to = Math.min(rounds.size(), i + per);
            double x = 0;
            double v = 0;
            for (int j = i; j < to; j++) {
                x += rounds.get(j).round();
                v += value.applyAsDouble(rounds.get(j));
            }
            out.add(new double[] {x / (to - i), v / (to - i)});
        }
        return out;
    }

    private static void panel(StringBuilder svg, int top, String title, int maxRound, List<Series> series) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (Double.isFinite(p[1])) {
                    lo = Math.min(lo, p[1]);
                    hi = Math.max(hi, p[1]);
                }
            }
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-12) {
            hi = lo + Math.max(1e-6, Math.abs(lo) * 0.1);
        }
        int right = WIDTH - RIGHT;
        int bottom = top + PANEL;
        svg.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", LEFT, top - 8, escape(title)));
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " + "stroke=\"#999999\"/>\n",
                LEFT,
                top,
                right - LEFT,
                PANEL));
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            double yy = bottom - (double) PANEL * t / 4;
            svg.append(String.format(
                    Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", LEFT - 6, yy + 4, v));
            double round = 1 + (maxRound - 1) * t / 4.0;
            double xx = x(round, maxRound);
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                    xx,
                    bottom + 16,
                    Math.round(round)));
        }
        int legend = LEFT + 260;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                if (Double.isFinite(p[1])) {
                    pts.append(String.format(
                            Locale.ROOT, "%.1f,%.1f ", x(p[0], maxRound), bottom - (p[1] - lo) / (hi - lo) * PANEL));
                }
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s "
                            + "points=\"%s\"><title>%s</title></polyline>\n",
                    s.colour(),
                    s.dashed() ? " stroke-dasharray=\"6 4\"" : "",
                    pts.toString().trim(),
                    escape(s.name())));
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"%s "
                            + "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                    legend,
                    top - 12,
                    legend + 18,
                    top - 12,
                    s.colour(),
                    s.dashed() ? " stroke-dasharray=\"6 4\"" : "",
                    legend + 22,
                    top - 8,
                    escape(s.name())));
            legend += 30 + 7 * s.name().length();
        }
    }

    private static double x(double round, int maxRound) {
        return LEFT + (round - 1) / Math.max(1.0, maxRound - 1.0) * (WIDTH - RIGHT - LEFT);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
