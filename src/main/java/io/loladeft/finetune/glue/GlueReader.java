package io.loladeft.finetune.glue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads GLUE TSV files as GLUE distributes them ({@code <dir>/<TASK>/train.tsv}, {@code dev.tsv}).
 * Fields are split on tabs with quoting off. A missing file, a missing column or a bad label is a
 * {@link GlueFormatException} naming the file and the line.
 */
public final class GlueReader {

    private GlueReader() {}

    public static List<GlueExample> train(Path glueDir, GlueTask task) {
        return read(glueDir.resolve(task.directory()).resolve(task.trainFile()), task);
    }

    public static List<GlueExample> dev(Path glueDir, GlueTask task) {
        return read(glueDir.resolve(task.directory()).resolve(task.devFile()), task);
    }

    public static List<GlueExample> read(Path file, GlueTask task) {
        if (!Files.isRegularFile(file)) {
            throw new GlueFormatException(file + ": no such file (expected the GLUE layout <dir>/" + task.directory()
                    + "/" + file.getFileName() + ")");
        }
        List<GlueExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            int a = task.idxA;
            int b = task.idxB;
            int lab = task.idxLabel;
            boolean first = true;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (first) {
                    first = false;
                    if (task.header) {
                        List<String> cols = Arrays.asList(f);
                        a = column(cols, task.colA, file, lineNo);
                        b = task.colB == null ? -1 : column(cols, task.colB, file, lineNo);
                        lab = column(cols, task.colLabel, file, lineNo);
                        continue;
                    }
                    if (task == GlueTask.STSB && f.length > 0 && f[0].equals("index")) {
                        continue;
                    }
                }
                int labelCol = lab == -2 ? f.length - 1 : lab;
                int need = Math.max(Math.max(a, b), labelCol) + 1;
                if (f.length < need || (task == GlueTask.STSB && f.length < 10)) {
                    throw new GlueFormatException(file + ":" + lineNo + ": expected at least "
                            + Math.max(need, task == GlueTask.STSB ? 10 : 0) + " tab-separated columns, got "
                            + f.length);
                }
                String textA = f[a];
                String textB = b >= 0 ? f[b] : null;
                float label = label(task, f[labelCol].trim(), file, lineNo);
                out.add(new GlueExample(textA, textB, label));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (out.isEmpty()) {
            throw new GlueFormatException(file + ": no examples");
        }
        return out;
    }

    private static int column(List<String> header, String name, Path file, int lineNo) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new GlueFormatException(file + ":" + lineNo + ": header has no column '" + name + "' (got "
                    + String.join(", ", header) + ")");
        }
        return i;
    }

    private static float label(GlueTask task, String value, Path file, int lineNo) {
        if (task.isRegression()) {
            float v;
            try {
                v = Float.parseFloat(value);
            } catch (NumberFormatException e) {
                throw new GlueFormatException(file + ":" + lineNo + ": score '" + value + "' is not a number");
            }
            if (!(v >= 0f && v <= 5f)) {
                throw new GlueFormatException(file + ":" + lineNo + ": score " + value + " outside 0..5");
            }
            return v;
        }
        int i = task.labels().indexOf(value);
        if (i < 0) {
            throw new GlueFormatException(
                    file + ":" + lineNo + ": label '" + value + "' is not one of " + task.labels());
        }
        return i;
    }
}
