package io.loladeft.finetune.pretrained;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.finetune.model.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The import of the real artifact: layout, names and shapes, config, reuse and repair of the cache. */
class PretrainedModelsTest {

    private static final List<String> LAYER = List.of(
            "attention.self.query.weight", "attention.self.query.bias",
            "attention.self.key.weight", "attention.self.key.bias",
            "attention.self.value.weight", "attention.self.value.bias",
            "attention.output.dense.weight", "attention.output.dense.bias",
            "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
            "intermediate.dense.weight", "intermediate.dense.bias",
            "output.dense.weight", "output.dense.bias",
            "output.LayerNorm.weight", "output.LayerNorm.bias");

    /** transformers' BertModel state dict for all-MiniLM-L6-v2, written out by hand. */
    private static Map<String, List<Long>> expectedTensors() {
        Map<String, List<Long>> want = new LinkedHashMap<>();
        want.put("embeddings.word_embeddings.weight", List.of(30522L, 384L));
        want.put("embeddings.position_embeddings.weight", List.of(512L, 384L));
        want.put("embeddings.token_type_embeddings.weight", List.of(2L, 384L));
        want.put("embeddings.LayerNorm.weight", List.of(384L));
        want.put("embeddings.LayerNorm.bias", List.of(384L));
        for (int l = 0; l < 6; l++) {
            for (String t : LAYER) {
                List<Long> shape = switch (t) {
                    case "intermediate.dense.weight" -> List.of(1536L, 384L);
                    case "intermediate.dense.bias" -> List.of(1536L);
                    case "output.dense.weight" -> List.of(384L, 1536L);
                    default ->
                        t.endsWith("dense.weight") || t.matches("attention\\.self\\.\\w+\\.weight")
                                ? List.of(384L, 384L)
                                : List.of(384L);
                };
                want.put("encoder.layer." + l + "." + t, shape);
            }
        }
        return want;
    }

    @Test
    void writesTheHuggingFaceLayout() throws IOException {
        Path dir = SharedImport.dir();
        assertThat(dir.getFileName().toString()).isEqualTo(PretrainedModels.ALL_MINILM_L6_V2);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("config.json", "model.safetensors", "tokenizer.json");
        }
        try (Stream<Path> siblings = Files.list(dir.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString()))
                    .as("no staging directory left behind")
                    .containsExactlyInAnyOrder("all-minilm-l6-v2", ".all-minilm-l6-v2.lock");
        }
        assertThat(Files.readAllBytes(dir.resolve("tokenizer.json")))
                .isEqualTo(PretrainedModels.resourceBytes(PretrainedModels.TOKENIZER_RESOURCE));
    }

    @Test
    void everyBertModelTensorIsThereWithItsShapeAndNothingElse() {
        Map<String, HostTensor> tensors = SharedImport.tensors();
        Map<String, List<Long>> want = expectedTensors();
        assertThat(want).hasSize(5 + 6 * 16);
        assertThat(tensors.keySet()).as("names, in state dict order").containsExactlyElementsOf(want.keySet());
        want.forEach((name, shape) -> assertThat(tensors.get(name).shape())
                .as(name)
                .containsExactly(shape.stream().mapToLong(Long::longValue).toArray()));
        // no pooler in this export, and the INT64 position_ids buffer is not a weight
        assertThat(tensors.keySet()).noneMatch(n -> n.startsWith("pooler.") || n.endsWith("_ids"));
        tensors.forEach((name, t) -> {
            for (float v : t.data()) {
                assertThat(Float.isFinite(v)).as(name).isTrue();
            }
        });
    }

    @Test
    void configJsonIsABertModelConfigFromTheFile() throws IOException {
        JsonObject c = JsonParser.parseString(
                        Files.readString(SharedImport.dir().resolve("config.json")))
                .getAsJsonObject();
        assertThat(c.getAsJsonArray("architectures").get(0).getAsString()).isEqualTo("BertModel");
        assertThat(c.get("model_type").getAsString()).isEqualTo("bert");
        assertThat(c.get("vocab_size").getAsInt()).isEqualTo(30522);
        assertThat(c.get("hidden_size").getAsInt()).isEqualTo(384);
        assertThat(c.get("num_hidden_layers").getAsInt()).isEqualTo(6);
        assertThat(c.get("num_attention_heads").getAsInt()).isEqualTo(12);
        assertThat(c.get("intermediate_size").getAsInt()).isEqualTo(1536);
        assertThat(c.get("max_position_embeddings").getAsInt()).isEqualTo(512);
        assertThat(c.get("type_vocab_size").getAsInt()).isEqualTo(2);
        assertThat(c.get("layer_norm_eps").getAsDouble()).isEqualTo(1e-12);
        assertThat(c.get("pad_token_id").getAsInt()).isEqualTo(0);
        assertThat(c.get("hidden_act").getAsString()).isEqualTo("gelu");
        assertThat(c.get("hidden_dropout_prob").getAsDouble()).isEqualTo(0.1);
        assertThat(c.get("attention_probs_dropout_prob").getAsDouble()).isEqualTo(0.1);
        assertThat(c.get("initializer_range").getAsDouble()).isEqualTo(0.02);
        assertThat(c.keySet()).hasSize(15);
    }

    @Test
    void aSecondCallReusesTheCacheUntouched() throws IOException {
        Path dir = SharedImport.dir();
        Map<String, FileTime> before = modificationTimes(dir);
        Map<String, byte[]> bytes = contents(dir);
        long start = System.nanoTime();
        Path again = PretrainedModels.allMiniLmL6V2(dir.getParent());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(again).isEqualTo(dir);
        assertThat(modificationTimes(dir)).isEqualTo(before);
        contents(dir).forEach((name, b) -> assertThat(b).as(name).isEqualTo(bytes.get(name)));
        assertThat(millis).as("reuse reads headers only").isLessThan(2_000);
    }

    @Test
    void aCacheMissingItsWeightsIsReimported(@TempDir Path root) throws IOException {
        Path dir = copyOfTheCache(root);
        Files.delete(dir.resolve("model.safetensors"));
        Files.createDirectories(root.resolve(".all-minilm-l6-v2.tmp-crashed")); // a staging dir of a crashed run
        Files.writeString(root.resolve(".all-minilm-l6-v2.tmp-crashed/model.safetensors"), "half");

        assertThat(PretrainedModels.allMiniLmL6V2(root)).isEqualTo(dir);

        assertSameFiles(dir, SharedImport.dir());
        assertThat(root.resolve(".all-minilm-l6-v2.tmp-crashed")).doesNotExist();
    }

    @Test
    void aTruncatedWeightsFileIsReimported(@TempDir Path root) throws IOException {
        Path dir = copyOfTheCache(root);
        try (var ch = Files.newByteChannel(dir.resolve("model.safetensors"), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 4);
        }
        assertThat(PretrainedModels.allMiniLmL6V2(root)).isEqualTo(dir);
        assertSameFiles(dir, SharedImport.dir());
    }

    @Test
    void concurrentCallersAllGetTheSameCompleteCache(@TempDir Path root) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> results = new ArrayList<>();
            Callable<Path> call = () -> PretrainedModels.allMiniLmL6V2(root);
            for (int i = 0; i < 3; i++) {
                results.add(pool.submit(call));
            }
            for (Future<Path> r : results) {
                Path dir = r.get();
                assertThat(dir).isEqualTo(root.resolve(PretrainedModels.ALL_MINILM_L6_V2));
                assertThat(HfLayout.isComplete(dir)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertSameFiles(root.resolve(PretrainedModels.ALL_MINILM_L6_V2), SharedImport.dir());
    }

    private static Path copyOfTheCache(Path root) throws IOException {
        Path dir = Files.createDirectories(root.resolve(PretrainedModels.ALL_MINILM_L6_V2));
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(SharedImport.dir().resolve(f), dir.resolve(f));
        }
        return dir;
    }

    private static void assertSameFiles(Path actual, Path expected) throws IOException {
        Map<String, byte[]> want = contents(expected);
        Map<String, byte[]> got = contents(actual);
        assertThat(got.keySet()).isEqualTo(want.keySet());
        want.forEach((name, b) -> assertThat(got.get(name)).as(name).isEqualTo(b));
    }

    private static Map<String, FileTime> modificationTimes(Path dir) throws IOException {
        Map<String, FileTime> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                out.put(f.getFileName().toString(), Files.getLastModifiedTime(f));
            }
        }
        return out;
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                out.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }
}
