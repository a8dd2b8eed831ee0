package io.loladeft.finetune.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loladeft.finetune.TestData;
import io.loladeft.finetune.glue.GlueExample;
import io.loladeft.finetune.glue.GlueReader;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Token ids of every sentence and pair in {@code ../shared/glue} (SST-2, RTE, WNLI, STS-B, train and
 * dev), as the engine encodes them for the pretrained model, against Hugging Face's tokenizers
 * library run through its Node binding by {@code src/test/reference/tokenizer-ids.mjs}, which parses
 * the files on its own: per chunk of 1,000 rows, a SHA-256 of the ids and token types.
 */
class TokenizerReferenceTest {

    private static final Map<String, GlueTask> TASKS =
            Map.of("SST-2", GlueTask.SST2, "RTE", GlueTask.RTE, "WNLI", GlueTask.WNLI, "STS-B", GlueTask.STSB);

    @Test
    void idsEqualTheTokenizersLibrarysOnEveryGlueRow() throws Exception {
        List<String[]> expected = reference();
        Path glue = TestData.shared().resolve("glue");
        List<String> mismatches = new ArrayList<>();
        int rows = 0;
        try (TextTokenizer tokenizer = TextTokenizer.fromDirectory(SharedImport.dir())) {
            for (String[] line : expected) {
                GlueTask task = TASKS.get(line[0]);
                List<GlueExample> examples =
                        line[1].equals("train") ? GlueReader.train(glue, task) : GlueReader.dev(glue, task);
                int first = Integer.parseInt(line[2]);
                int n = Integer.parseInt(line[3]);
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (GlueExample e : examples.subList(first, first + n)) {
                    TextTokenizer.Encoding enc = tokenizer.encodePair(e.textA(), e.textB(), 128);
                    sha.update((join(enc.ids()) + "|" + join(enc.typeIds()) + "\n").getBytes(StandardCharsets.UTF_8));
                }
                rows += n;
                if (!HexFormat.of().formatHex(sha.digest()).equals(line[4])) {
                    mismatches.add(line[0] + " " + line[1] + " rows " + first + ".." + (first + n - 1));
                }
            }
        }
        assertEquals(List.of(), mismatches);
        assertEquals(67_349 + 872 + 1_244 + 139 + 565 + 70 + 4_249 + 1_500, rows, "every row was compared");
    }

    private static String join(long[] v) {
        return LongStream.of(v).mapToObj(Long::toString).collect(Collectors.joining(" "));
    }

    private static List<String[]> reference() throws IOException {
        try (InputStream in =
                TokenizerReferenceTest.class.getResourceAsStream("/reference/minilm-glue-token-ids.tsv")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .skip(1)
                    .map(l -> l.split("\t"))
                    .toList();
        }
    }
}
