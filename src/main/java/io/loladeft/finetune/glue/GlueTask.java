package io.loladeft.finetune.glue;

import java.util.List;
import java.util.Locale;

/**
 * The nine GLUE tasks with their official TSV layouts. Columns are found by header name where the
 * official file has a header; CoLA has none (and STS-B files are accepted with or without one), so
 * those use fixed positions. Labels map to class indices in the order of {@link #labels()}.
 */
public enum GlueTask {
    //     dir      header  textA          textB         label           idxA idxB idxLabel labels
    // metric
    COLA("CoLA", false, null, null, null, 3, -1, 1, List.of("0", "1"), Metric.MATTHEWS),
    SST2("SST-2", true, "sentence", null, "label", -1, -1, -1, List.of("0", "1"), Metric.ACCURACY),
    MRPC("MRPC", true, "#1 String", "#2 String", "Quality", -1, -1, -1, List.of("0", "1"), Metric.F1_ACCURACY),
    STSB("STS-B", false, null, null, null, 7, 8, -2, List.of(), Metric.PEARSON_SPEARMAN),
    QQP("QQP", true, "question1", "question2", "is_duplicate", -1, -1, -1, List.of("0", "1"), Metric.F1_ACCURACY),
    MNLI_M(
            "MNLI",
            true,
            "sentence1",
            "sentence2",
            "gold_label",
            -1,
            -1,
            -1,
            List.of("contradiction", "entailment", "neutral"),
            Metric.ACCURACY),
    MNLI_MM(
            "MNLI",
            true,
            "sentence1",
            "sentence2",
            "gold_label",
            -1,
            -1,
            -1,
            List.of("contradiction", "entailment", "neutral"),
            Metric.ACCURACY),
    QNLI(
            "QNLI",
            true,
            "question",
            "sentence",
            "label",
            -1,
            -1,
            -1,
            List.of("entailment", "not_entailment"),
            Metric.ACCURACY),
    RTE(
            "RTE",
            true,
            "sentence1",
            "sentence2",
            "label",
            -1,
            -1,
            -1,
            List.of("entailment", "not_entailment"),
            Metric.ACCURACY),
    WNLI("WNLI", true, "sentence1", "sentence2", "label", -1, -1, -1, List.of("0", "1"), Metric.ACCURACY);

    /** How a task is scored. */
    public enum Metric {
        MATTHEWS,
        ACCURACY,
        F1_ACCURACY,
        PEARSON_SPEARMAN
    }

    private final String directory;
    final boolean header;
    final String colA;
    final String colB;
    final String colLabel;
    final int idxA;
    final int idxB;
    /** Fixed label column; -2 means the last column. */
    final int idxLabel;

    private final List<String> labels;
    private final Metric metric;

    GlueTask(
            String directory,
            boolean header,
            String colA,
            String colB,
            String colLabel,
            int idxA,
            int idxB,
            int idxLabel,
            List<String> labels,
            Metric metric) {
        this.directory = directory;
        this.header = header;
        this.colA = colA;
        this.colB = colB;
        this.colLabel = colLabel;
        this.idxA = idxA;
        this.idxB = idxB;
        this.idxLabel = idxLabel;
        this.labels = labels;
        this.metric = metric;
    }

    public String directory() {
        return directory;
    }

    public List<String> labels() {
        return labels;
    }

    public Metric metric() {
        return metric;
    }

    public boolean isRegression() {
        return labels.isEmpty();
    }

    public boolean isPair() {
        return colB != null || idxB >= 0;
    }

    /** Output width of the head: 1 for STS-B, else the number of classes. */
    public int numLabels() {
        return isRegression() ? 1 : labels.size();
    }

    public String trainFile() {
        return "train.tsv";
    }

    /** GLUE's dev file name: {@code dev_matched.tsv} / {@code dev_mismatched.tsv} for MNLI. */
    public String devFile() {
        return switch (this) {
            case MNLI_M -> "dev_matched.tsv";
            case MNLI_MM -> "dev_mismatched.tsv";
            default -> "dev.tsv";
        };
    }

    /** Accepts {@code SST-2}, {@code sst2}, {@code mnli-mm}, {@code STS-B}, ... */
    public static GlueTask parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return switch (k) {
            case "cola" -> COLA;
            case "sst2" -> SST2;
            case "mrpc" -> MRPC;
            case "stsb" -> STSB;
            case "qqp" -> QQP;
            case "mnli", "mnlim", "mnlimatched" -> MNLI_M;
            case "mnlimm", "mnlimismatched" -> MNLI_MM;
            case "qnli" -> QNLI;
            case "rte" -> RTE;
            case "wnli" -> WNLI;
            default -> throw new IllegalArgumentException("unknown GLUE task '" + s + "'");
        };
    }
}
