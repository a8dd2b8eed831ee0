package io.loladeft.plans;

import java.util.List;
import java.util.Locale;

/**
 * A plan's round as a picture: one row per involved device, its compute (blue) then its upload
 * (orange), the round latency as a dashed line, and the bottleneck device outlined in red. What a
 * person would rather look at than read.
 */
final class TimelineSvg {

    private static final int LEFT = 170;
    private static final int WIDTH = 900;
    private static final int ROW = 26;
    private static final int TOP = 50;

    private TimelineSvg() {}

    static String render(PlanView plan) {
        List<PlanView.AssignmentView> rows = plan.assignments();
        double span = Math.max(plan.roundLatencySeconds(), 1e-12);
        double scale = (WIDTH - LEFT - 30) / span;
        int height = TOP + rows.size() * ROW + 60;
        StringBuilder svg = new StringBuilder(512 + rows.size() * 400);
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
                "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Plan %s (%s): round latency %s</text>\n",
                plan.id(),
                escape(plan.algorithm()),
                seconds(plan.roundLatencySeconds())));
        svg.append("<rect x=\"10\" y=\"30\" width=\"12\" height=\"10\" fill=\"#4e79a7\"/>"
                + "<text x=\"26\" y=\"39\">compute</text>"
                + "<rect x=\"90\" y=\"30\" width=\"12\" height=\"10\" fill=\"#f28e2b\"/>"
                + "<text x=\"106\" y=\"39\">upload</text>"
                + "<rect x=\"160\" y=\"30\" width=\"12\" height=\"10\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>"
                + "<text x=\"176\" y=\"39\">bottleneck</text>\n");
        for (int i = 0; i < rows.size(); i++) {
            PlanView.AssignmentView a = rows.get(i);
            int y = TOP + i * ROW;
            double cw = a.computeSeconds() * scale;
            double uw = a.uploadSeconds() * scale;
            boolean bottleneck = a.device().equals(plan.bottleneckDevice());
            String blocks = blocks(a);
            svg.append(String.format(
                    Locale.ROOT,
                    "<g><title>%s: %s, compute %s, upload %s, %.4g MHz</title>\n",
                    escape(a.device()),
                    blocks,
                    seconds(a.computeSeconds()),
                    seconds(a.uploadSeconds()),
                    a.bandwidthHz() / 1e6));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\"%s>%s</text>\n",
                    LEFT - 8,
                    y + 15,
                    bottleneck ? " font-weight=\"bold\" fill=\"#d62728\"" : "",
                    escape(a.device())));
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"18\" fill=\"#4e79a7\"/>\n",
                    LEFT,
                    y + 2,
                    cw));
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"18\" fill=\"#f28e2b\"/>\n",
                    LEFT + cw,
                    y + 2,
                    uw));
            // The device's blocks, written on its bar (or after it when the bar is too short for them).
            boolean inside = cw + uw > 7 * blocks.length() + 8;
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.2f\" y=\"%d\" fill=\"%s\">%s</text>\n",
                    inside ? LEFT + 4.0 : LEFT + cw + uw + 6,
                    y + 15,
                    inside ? "white" : "black",
                    escape(blocks)));
            if (bottleneck) {
                svg.append(String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"22\" "
                                + "fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n",
                        LEFT - 2,
                        y,
                        cw + uw + 4));
            }
            svg.append("</g>\n");
        }
        int axis = TOP + rows.size() * ROW + 8;
        double end = LEFT + span * scale;
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"black\"/>\n",
                LEFT,
                axis,
                end,
                axis));
        for (int t = 0; t <= 4; t++) {
            double x = LEFT + t * (end - LEFT) / 4;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"black\"/>"
                            + "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x,
                    axis,
                    x,
                    axis + 4,
                    x,
                    axis + 18,
                    seconds(span * t / 4)));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#d62728\" "
                        + "stroke-dasharray=\"4 3\"/>\n",
                end,
                TOP - 4,
                end,
                axis));
        if (!plan.idleDevices().isEmpty()) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"10\" y=\"%d\">idle: %s</text>\n",
                    axis + 40,
                    escape(String.join(", ", plan.idleDevices()))));
        }
        return svg.append("</svg>\n").toString();
    }

    /** "layers 3, 4", "layers 12 + head", "head": the head's block (layer L+1) named as such. */
    static String blocks(PlanView.AssignmentView a) {
        List<Integer> layers = a.layers();
        if (a.head()) {
            layers = layers.subList(0, layers.size() - 1); // ascending: the head's L+1 is last
        }
        String encoder = layers.isEmpty()
                ? ""
                : "layers " + layers.toString().replace("[", "").replace("]", "");
        return !a.head() ? encoder : encoder.isEmpty() ? "head" : encoder + " + head";
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.4g s", s);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
