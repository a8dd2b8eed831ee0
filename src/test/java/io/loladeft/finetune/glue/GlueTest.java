package io.loladeft.finetune.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loladeft.finetune.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlueTest {

    @TempDir
    Path tmp;

    @Test
    void allNineTasksReadTheirOfficialLayouts() {
        Path dir = TestData.resource("glue");
        for (GlueTask t : GlueTask.values()) {
            List<GlueExample> train = GlueReader.train(dir, t);
            List<GlueExample> dev = GlueReader.dev(dir, t);
            assertTrue(train.size() >= 3 && dev.size() >= 2, t + " read " + train.size() + "/" + dev.size());
            for (GlueExample e : train) {
                assertEquals(t.isPair(), e.textB() != null, t.toString());
                assertTrue(!e.textA().isBlank());
                if (!t.isRegression()) {
                    assertTrue(e.label() >= 0 && e.label() < t.numLabels());
                }
            }
        }
        GlueExample sst = GlueReader.dev(dir, GlueTask.SST2).get(0);
        assertEquals("it 's a charming and often affecting journey . ", sst.textA());
        assertNull(sst.textB());
        assertEquals(1f, sst.label());
        GlueExample sts = GlueReader.train(dir, GlueTask.STSB).get(0);
        assertEquals("A plane is taking off.", sts.textA());
        assertEquals("An air plane is taking off.", sts.textB());
        assertEquals(5.0f, sts.label());
        GlueExample rte = GlueReader.train(dir, GlueTask.RTE).get(1);
        assertEquals(1f, rte.label()); // not_entailment
        GlueExample cola = GlueReader.train(dir, GlueTask.COLA).get(1);
        assertEquals("The more does Bill smoke, the more Susan hates him.", cola.textA());
        assertEquals(0f, cola.label());
        GlueExample mrpc = GlueReader.train(dir, GlueTask.MRPC).get(0);
        assertTrue(mrpc.textB().startsWith("Referring to him as only \"the witness\""));
        assertEquals(2, GlueReader.dev(dir, GlueTask.MNLI_MM).size());
        assertEquals(0f, GlueReader.dev(dir, GlueTask.MNLI_M).get(1).label()); // contradiction
        assertEquals(2f, GlueReader.dev(dir, GlueTask.MNLI_M).get(0).label()); // gold neutral, last column
        assertEquals(1, GlueTask.STSB.numLabels());
        assertEquals(3, GlueTask.parse("mnli-mm").numLabels());
    }

    @Test
    void badFilesNameTheFileAndLine() throws Exception {
        Path sst = tmp.resolve("SST-2");
        Files.createDirectories(sst);
        Files.writeString(sst.resolve("train.tsv"), "sentence\tlabel\ngood film\t1\nbad film\tpositive\n");
        GlueFormatException bad = assertThrows(GlueFormatException.class, () -> GlueReader.train(tmp, GlueTask.SST2));
        assertTrue(bad.getMessage().contains("train.tsv:3: label 'positive' is not one of [0, 1]"), bad.getMessage());

        Files.writeString(sst.resolve("dev.tsv"), "sentence\tlabel\ngood film\t1\nonly one column\n");
        GlueFormatException cols = assertThrows(GlueFormatException.class, () -> GlueReader.dev(tmp, GlueTask.SST2));
        assertTrue(
                cols.getMessage().contains("dev.tsv:3: expected at least 2 tab-separated columns, got 1"),
                cols.getMessage());

        Path rte = tmp.resolve("RTE");
        Files.createDirectories(rte);
        Files.writeString(rte.resolve("train.tsv"), "index\tpremise\thypothesis\tlabel\n0\ta\tb\tentailment\n");
        GlueFormatException hdr = assertThrows(GlueFormatException.class, () -> GlueReader.train(tmp, GlueTask.RTE));
        assertTrue(hdr.getMessage().contains("train.tsv:1: header has no column 'sentence1'"), hdr.getMessage());

        Path sts = tmp.resolve("STS-B");
        Files.createDirectories(sts);
        Files.writeString(sts.resolve("train.tsv"), "0\tg\tf\ty\t1\tn\tn\ta\tb\t6.5\n");
        GlueFormatException score = assertThrows(GlueFormatException.class, () -> GlueReader.train(tmp, GlueTask.STSB));
        assertTrue(score.getMessage().contains("train.tsv:1: score 6.5 outside 0..5"), score.getMessage());

        GlueFormatException none = assertThrows(GlueFormatException.class, () -> GlueReader.train(tmp, GlueTask.QQP));
        assertTrue(none.getMessage().contains("QQP") && none.getMessage().contains("no such file"), none.getMessage());
    }

    @Test
    void metricsMatchHandComputedValues() {
        float[] gold = {1, 1, 1, 0, 0, 0, 1, 0};
        float[] pred = {1, 1, 0, 0, 0, 1, 1, 0};
        // tp=3 tn=3 fp=1 fn=1
        assertEquals(0.75, GlueMetrics.accuracy(pred, gold), 1e-12);
        assertEquals(0.75, GlueMetrics.f1(pred, gold), 1e-12);
        assertEquals((9.0 - 1.0) / 16.0, GlueMetrics.matthews(pred, gold), 1e-12);
        assertEquals(0.0, GlueMetrics.matthews(new float[] {1, 1, 1}, new float[] {1, 0, 1}), 1e-12);
        Map<String, Double> mrpc = GlueMetrics.score(GlueTask.MRPC, pred, gold);
        assertEquals(List.of("f1", "accuracy"), List.copyOf(mrpc.keySet()));

        float[] x = {1, 2, 3, 4, 5};
        float[] y = {2, 4, 5, 4, 5};
        assertEquals(
                0.7745966692414834,
                GlueMetrics.pearson(new double[] {1, 2, 3, 4, 5}, new double[] {2, 4, 5, 4, 5}),
                1e-12);
        // ranks of y with ties: 1, 2.5, 4.5, 2.5, 4.5
        assertEquals(0.7378647873726218, GlueMetrics.spearman(x, y), 1e-12);
        Map<String, Double> sts = GlueMetrics.score(GlueTask.STSB, x, y);
        assertEquals(List.of("pearson", "spearman"), List.copyOf(sts.keySet()));
        assertEquals(
                List.of("matthews"),
                List.copyOf(GlueMetrics.score(GlueTask.COLA, pred, gold).keySet()));
    }
}
