package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.loladeft.finetune.TestData;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.glue.GlueReader;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.HfCheckpoint;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import io.loladeft.finetune.pretrained.PretrainedModels;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.finetune.train.EncodedDataset;
import io.loladeft.finetune.train.TorchThread;
import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The pretrained path end to end over HTTP: register the {@code all-minilm-l6-v2} preset, plan
 * LoRA blocks for two devices, submit a job naming only the plan, the task and the data (AdamW and
 * its schedule by default, the model's own tokenizer), run it on RTE (sentence pairs) to SUCCEEDED,
 * and download the model as a Hugging Face archive that the project's loader reads back to the
 * job's final logits within 1e-5, with PEFT's adapter files beside it.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PretrainedJobApiTest extends ApiTest {

    static final Path GLUE = TestData.shared().resolve("glue");
    static final Path CACHE = Path.of("target/model-cache").toAbsolutePath();

    @DynamicPropertySource
    static void jobs(DynamicPropertyRegistry registry) {
        registry.add("loladeft.role", () -> "both");
        registry.add("loladeft.files.roots", () -> GLUE.toString());
        registry.add("loladeft.jobs.worker.poll", () -> "100ms");
        registry.add("loladeft.jobs.worker.host-flops", () -> "1e11");
        registry.add("loladeft.jobs.worker.model-cache", () -> CACHE.toString());
        registry.add("loladeft.jobs.events-poll", () -> "100ms");
    }

    @Test
    void aJobFineTunesThePretrainedPresetAndExportsAModelThatReloads() throws Exception {
        String model = unique("minilm");
        Http.Response preset = http.post("/api/v1/model-presets/all-minilm-l6-v2?name=" + model, "");
        assertThat(preset.status()).as(preset.body()).isIn(200, 201);
        assertThat(preset.json().path("pretrained").asString()).isEqualTo("all-minilm-l6-v2");
        Http.Response plan = http.post("/api/v1/plans", """
                {"bandwidthHz": 2e7, "model": {"name": "%s"}, "maxBlocksPerDevice": 4,
                 "devices": [
                   {"name": "a", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90},
                   {"name": "b", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -95}],
                 "training": {"batchSize": 4, "seqLen": 48, "rounds": 3}}""".formatted(model));
        assertThat(plan.status()).as(plan.body()).isEqualTo(201);
        String planId = plan.json().path("id").asString();

        Http.Response created = http.post("/api/v1/jobs", """
                {"planId": "%s", "task": "rte", "dataDir": "%s"}""".formatted(planId, GLUE));
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String id = created.json().path("id").asString();
        JsonNode settings = created.json().path("settings");
        assertThat(settings.path("optimizer").asString()).isEqualTo("adamw");
        assertThat(settings.path("pretrained").asString()).isEqualTo("all-minilm-l6-v2");
        assertThat(settings.path("maxGradNorm").asDouble()).isEqualTo(1.0);

        JsonNode job = await(id, Duration.ofMinutes(5));
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("result").path("metrics").path("accuracy").isNumber())
                .isTrue();

        Map<String, byte[]> files = unzip(http.getBytes("/api/v1/jobs/" + id + "/model"));
        assertThat(files)
                .containsKeys(
                        "config.json",
                        "model.safetensors",
                        "tokenizer.json",
                        "adapter_config.json",
                        "adapter_model.safetensors");
        Map<String, HostTensor> weights = Safetensors.read(files.get("model.safetensors"), "export");
        assertThat(weights.keySet()).allMatch(n -> n.startsWith("bert.") || n.startsWith("classifier."));
        assertThat(weights.keySet()).noneMatch(n -> n.contains("lora"));
        assertThat(Safetensors.read(files.get("adapter_model.safetensors"), "peft")
                        .keySet())
                .contains(
                        "base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight",
                        "base_model.model.classifier.weight",
                        "base_model.model.bert.pooler.dense.weight");

        Path exported = Files.createTempDirectory("export");
        for (var f : files.entrySet()) {
            Files.write(exported.resolve(f.getKey()), f.getValue());
        }
        byte[] blocks = http.getBytes("/api/v1/jobs/" + id + "/blocks");
        assertThat(maxLogitDifference(exported, blocks)).isLessThanOrEqualTo(1e-5);
    }

    /** The export, loaded as a plain model, against the pretrained model with the job's blocks set. */
    static double maxLogitDifference(Path exported, byte[] blocks) throws IOException {
        TorchThread.prepare();
        Path pretrained = PretrainedModels.allMiniLmL6V2(CACHE);
        Map<String, HostTensor> params = new HashMap<>();
        Safetensors.read(blocks, "blocks").forEach((n, t) -> {
            if (!n.contains("::")) {
                params.put(n, t);
            }
        });
        try (TextTokenizer tok = TextTokenizer.fromDirectory(exported);
                NDManager root = NDManager.newBaseManager();
                HfCheckpoint.Loaded job = HfCheckpoint.load(pretrained, BlockSpec.lora(8, 16), 2, 0, root);
                HfCheckpoint.Loaded back = HfCheckpoint.load(exported, BlockSpec.layer(), 0, 0, root);
                NDManager m = root.newSubManager()) {
            assertThat(back.report().initialised())
                    .as("every tensor comes from the export")
                    .isEmpty();
            job.model().setTensors(params);
            EncodedDataset dev =
                    new EncodedDataset(tok, GlueReader.dev(GLUE, GlueTask.RTE).subList(0, 16), 48);
            Batch b = dev.batch(0, 16);
            float[] want = job.model().forward(m, b, false).toFloatArray();
            float[] got = back.model().forward(m, b, false).toFloatArray();
            double worst = 0;
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs(want[i] - got[i]));
            }
            return worst;
        }
    }

    JsonNode await(String id, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode job;
        do {
            job = http.get("/api/v1/jobs/" + id).json();
            String s = job.path("state").asString();
            if (s.equals("SUCCEEDED") || s.equals("FAILED") || s.equals("CANCELLED")) {
                return job;
            }
            JobApiTest.sleep(300);
        } while (System.nanoTime() < end);
        throw new AssertionError("job " + id + " did not finish in " + timeout + ": " + job);
    }

    static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }
}
