package io.loladeft.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.planning.BlockSpec;
import io.loladeft.planning.ModelSpec;
import io.loladeft.planning.RobertaShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Compares a {@code FinetuneMain depth-memory} report (peak training bytes per depth, runtime baseline
 * taken out) with the planner's analytic memory {@link ModelSpec#trainingMemoryBytes} for the same shape,
 * batch, sequence length and precision (fp32: 4 bytes per weight and per trainable parameter).
 * Usage: {@code MemoryVsAnalytic [--json] report.json [more reports...]}; prints a Markdown table per report
 * (depth, measured MiB, analytic MiB, analytic / measured), with {@code --json} the rows as JSON too.
 */
public final class MemoryVsAnalytic {

    private MemoryVsAnalytic() {}

    public static void main(String[] args) throws IOException {
        boolean json = Arrays.asList(args).contains("--json");
        for (String a : args) {
            if (a.equals("--json")) {
                continue;
            }
            JsonObject r =
                    compare(JsonParser.parseString(Files.readString(Path.of(a))).getAsJsonObject());
            System.out.println(markdown(r));
            if (json) {
                System.out.println(
                        new GsonBuilder().setPrettyPrinting().create().toJson(r));
            }
        }
    }

    /** The planner's model for the report's shape and block (LoRA, adapter or layer), at fp32. */
    static ModelSpec modelOf(JsonObject report) {
        RobertaShape shape = new RobertaShape(
                report.get("layers").getAsInt(),
                report.get("hidden").getAsInt(),
                report.get("heads").getAsInt(),
                report.get("intermediate").getAsInt(),
                report.get("vocab").getAsInt(),
                report.get("maxPositions").getAsInt());
        BlockSpec block = switch (report.get("blockKind").getAsString()) {
            case "lora" ->
                BlockSpec.lora(
                        report.get("rank").getAsInt(), report.get("alpha").getAsDouble());
            case "adapter" -> BlockSpec.adapter(report.get("bottleneck").getAsInt());
            default -> BlockSpec.layer();
        };
        int bytes = report.get("bytesPerWeight").getAsInt();
        return new ModelSpec(shape, block, bytes, bytes);
    }

    public static JsonObject compare(JsonObject report) {
        ModelSpec m = modelOf(report);
        int layers = m.shape().layers();
        int b = report.get("batchSize").getAsInt();
        int s = report.get("seqLen").getAsInt();
        JsonObject out = new JsonObject();
        out.addProperty("family", report.get("family").getAsString());
        out.addProperty("blockKind", report.get("blockKind").getAsString());
        out.addProperty("layers", layers);
        out.addProperty("hidden", m.shape().hidden());
        out.addProperty("batchSize", b);
        out.addProperty("seqLen", s);
        out.add("environment", report.get("environment"));
        out.addProperty("backboneMiB", m.backboneBytes() / 1048576.0);
        out.addProperty("activationPerLayerMiB", m.activationBytesPerLayer(b, s) / 1048576.0);
        out.addProperty("workspaceMiB", m.workspaceBytes(b, s) / 1048576.0);
        JsonArray rows = new JsonArray();
        double maxErr = 0;
        for (var e : report.getAsJsonArray("depths")) {
            JsonObject d = e.getAsJsonObject();
            int depth = d.get("depth").getAsInt();
            int layer = layers - depth + 1;
            double measured = d.get("trainingBytes").getAsDouble();
            double analytic = m.trainingMemoryBytes(b, s, depth, m.blockParams(layer));
            double ratio = analytic / measured;
            maxErr = Math.max(maxErr, Math.abs(ratio - 1));
            JsonObject row = new JsonObject();
            row.addProperty("depth", depth);
            row.addProperty("measuredMiB", measured / 1048576.0);
            row.addProperty("analyticMiB", analytic / 1048576.0);
            row.addProperty("ratio", ratio);
            row.addProperty("peakRssMiB", d.get("peakRssBytes").getAsDouble() / 1048576.0);
            rows.add(row);
        }
        out.add("rows", rows);
        out.addProperty("maxAbsError", maxErr);
        return out;
    }

    public static String markdown(JsonObject r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s %s, L=%d, h=%d, b=%d, s=%d, fp32 (env %s): W_backbone %.1f MiB, A_layer %.1f MiB, A_work %.1f MiB%n%n",
                r.get("family").getAsString(),
                r.get("blockKind").getAsString(),
                r.get("layers").getAsInt(),
                r.get("hidden").getAsInt(),
                r.get("batchSize").getAsInt(),
                r.get("seqLen").getAsInt(),
                r.get("environment"),
                r.get("backboneMiB").getAsDouble(),
                r.get("activationPerLayerMiB").getAsDouble(),
                r.get("workspaceMiB").getAsDouble()));
        sb.append("| depth | measured MiB | analytic MiB | analytic / measured |\n|---|---|---|---|\n");
        for (var e : r.getAsJsonArray("rows")) {
            JsonObject row = e.getAsJsonObject();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %d | %.1f | %.1f | %.3f |%n",
                    row.get("depth").getAsInt(),
                    row.get("measuredMiB").getAsDouble(),
                    row.get("analyticMiB").getAsDouble(),
                    row.get("ratio").getAsDouble()));
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nmax |analytic / measured - 1|: %.1f%%%n",
                100 * r.get("maxAbsError").getAsDouble()));
        return sb.toString();
    }
}
