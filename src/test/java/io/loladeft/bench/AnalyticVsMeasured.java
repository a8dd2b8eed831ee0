package io.loladeft.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Compares a profiler report ({@code FinetuneMain profile --out report.json}) with the analytic
 * model, per depth. Two calibrations of the device's FLOP/s {@code f}:
 * <ul>
 *   <li>{@code gemm}: the host's measured dense-matmul FLOP/s (in the report), a pure prediction;</li>
 *   <li>{@code fitted}: one least-squares {@code f} over all depths, which isolates whether the
 *       model gets the <em>shape</em> in depth right (the planner only needs relative costs to be right
 *       when every device is profiled, and a single scale per device otherwise).</li>
 * </ul>
 * Usage: {@code AnalyticVsMeasured report.json [more reports...]}; prints a Markdown table and JSON.
 */
public final class AnalyticVsMeasured {

    private AnalyticVsMeasured() {}

    public static void main(String[] args) throws IOException {
        for (String a : args) {
            JsonObject r =
                    compare(JsonParser.parseString(Files.readString(Path.of(a))).getAsJsonObject());
            System.out.println(markdown(r));
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(r));
        }
    }

    public static JsonObject compare(JsonObject report) {
        int layers = report.get("layers").getAsInt();
        AnalyticCost cost = new AnalyticCost(
                layers,
                report.get("hidden").getAsInt(),
                report.get("intermediate").getAsInt(),
                2,
                report.get("batchSize").getAsInt(),
                report.get("seqLen").getAsInt());
        double hostFlops = report.get("hostFlops").getAsDouble();
        JsonArray raw = report.getAsJsonArray("raw");
        double[] flops = new double[layers];
        double[] measured = new double[layers];
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < layers; i++) {
            JsonObject d = raw.get(i).getAsJsonObject();
            flops[i] = cost.iterationFlops(
                    d.get("depth").getAsInt(), d.get("blockParameters").getAsLong());
            measured[i] = d.get("medianSeconds").getAsDouble();
            sxy += flops[i] * measured[i];
            sxx += flops[i] * flops[i];
        }
        double fitted = sxx / sxy;
        JsonObject out = new JsonObject();
        out.addProperty("blockKind", report.get("blockKind").getAsString());
        out.addProperty("layers", layers);
        out.addProperty("hidden", cost.hidden());
        out.addProperty("batchSize", cost.batch());
        out.addProperty("seqLen", cost.seq());
        out.addProperty("gemmFlops", hostFlops);
        out.addProperty("fittedFlops", fitted);
        JsonArray rows = new JsonArray();
        double maxGemm = 0;
        double maxFit = 0;
        for (int i = 0; i < layers; i++) {
            JsonObject row = new JsonObject();
            double pg = flops[i] / hostFlops;
            double pf = flops[i] / fitted;
            double eg = (pg - measured[i]) / measured[i];
            double ef = (pf - measured[i]) / measured[i];
            maxGemm = Math.max(maxGemm, Math.abs(eg));
            maxFit = Math.max(maxFit, Math.abs(ef));
            row.addProperty("depth", i + 1);
            row.addProperty("flops", flops[i]);
            row.addProperty("measuredSeconds", measured[i]);
            row.addProperty("predictedSecondsGemm", pg);
            row.addProperty("errorGemm", eg);
            row.addProperty("predictedSecondsFitted", pf);
            row.addProperty("errorFitted", ef);
            rows.add(row);
        }
        out.add("depths", rows);
        out.addProperty("maxAbsErrorGemm", maxGemm);
        out.addProperty("maxAbsErrorFitted", maxFit);
        return out;
    }

    public static String markdown(JsonObject c) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s, L=%d, h=%d, b=%d, s=%d: GEMM f = %.2f GFLOP/s, fitted f = %.2f GFLOP/s%n%n",
                c.get("blockKind").getAsString(),
                c.get("layers").getAsInt(),
                c.get("hidden").getAsInt(),
                c.get("batchSize").getAsInt(),
                c.get("seqLen").getAsInt(),
                c.get("gemmFlops").getAsDouble() / 1e9,
                c.get("fittedFlops").getAsDouble() / 1e9));
        sb.append("| depth | GFLOP | measured s | predicted s (GEMM f) | error | predicted s (fitted f) | error |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (var e : c.getAsJsonArray("depths")) {
            JsonObject r = e.getAsJsonObject();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %d | %.2f | %.4f | %.4f | %+.1f%% | %.4f | %+.1f%% |%n",
                    r.get("depth").getAsInt(),
                    r.get("flops").getAsDouble() / 1e9,
                    r.get("measuredSeconds").getAsDouble(),
                    r.get("predictedSecondsGemm").getAsDouble(),
                    100 * r.get("errorGemm").getAsDouble(),
                    r.get("predictedSecondsFitted").getAsDouble(),
                    100 * r.get("errorFitted").getAsDouble()));
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nmax |error|: %.1f%% (GEMM f), %.1f%% (fitted f)%n",
                100 * c.get("maxAbsErrorGemm").getAsDouble(),
                100 * c.get("maxAbsErrorFitted").getAsDouble()));
        return sb.toString();
    }
}
