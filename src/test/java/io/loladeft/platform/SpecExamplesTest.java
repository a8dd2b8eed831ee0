package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.finetune.TestData;
import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The spec's examples work as given (on a file root laid out as the chart documents: glue/ and
 * roberta-base/), and what generated clients send for lists they were not given ({@code []}) means
 * the same as leaving them out. ApiTest checks every exchange here against the committed spec too.
 */
class SpecExamplesTest extends ApiTest {

    static final Path ROOT = dataRoot();

    static Path dataRoot() {
        try {
            Path root = Files.createTempDirectory("spec-examples");
            Path sst2 = Files.createDirectories(root.resolve("glue/SST-2"));
            for (String f : List.of("train.tsv", "dev.tsv")) {
                Files.copy(TestData.resource("glue/SST-2/" + f), sst2.resolve(f));
            }
            Path tokenizer = Files.createDirectories(root.resolve("roberta-base"));
            for (String f : List.of("vocab.json", "merges.txt")) {
                Files.copy(TestData.robertaBaseTokenizer().resolve(f), tokenizer.resolve(f));
            }
            return root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void roots(DynamicPropertyRegistry registry) {
        registry.add("loladeft.files.roots", ROOT::toString);
    }

    @Test
    void everyRequestBodyExampleWorksAsGiven() {
        JsonNode paths = JsonMapper.builder()
                .build()
                .readTree(http.get("/v3/api-docs").body())
                .path("paths");
        List<String> tried = new ArrayList<>();
        paths.properties()
                .forEach(path -> path.getValue().properties().forEach(op -> {
                    JsonNode example = op.getValue()
                            .path("requestBody")
                            .path("content")
                            .path("application/json")
                            .path("example");
                    if (example.isMissingNode()) {
                        return;
                    }
                    String method = op.getKey().toUpperCase();
                    String name = example.path("name").asString("example-" + Long.toString(System.nanoTime(), 36));
                    String target = path.getKey().replace("{name}", name);
                    String body = example.toString();
                    if (target.endsWith(
                            "/channel")) { // a channel report is about a registered device: register one first
                        assertThat(http.post("/api/v1/devices", """
                        {"name": "%s", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23,
                         "channelGainDb": -90}""".formatted(name))
                                        .status())
                                .isEqualTo(201);
                    }
                    Http.Response r = send(method, target, body);
                    if (r.status()
                            == 409) { // the example's name is taken (a rerun, or another test): free it and retry
                        example.path("devices")
                                .forEach(d -> http.delete(
                                        "/api/v1/devices/" + d.path("name").asString(), null));
                        http.delete(
                                target.contains("/models") ? "/api/v1/models/" + name : "/api/v1/devices/" + name,
                                null);
                        r = send(method, target, body);
                    }
                    assertThat(r.status())
                            .as(method + " " + target + " with its example: " + r.body())
                            .isBetween(200, 299);
                    if (target.equals("/api/v1/jobs")) {
                        assertThat(http.post(
                                                "/api/v1/jobs/"
                                                        + r.json().path("id").asString() + "/cancel",
                                                "")
                                        .status())
                                .isEqualTo(200);
                    }
                    tried.add(method + " " + path.getKey());
                }));
        assertThat(tried)
                .contains(
                        "POST /api/v1/jobs",
                        "POST /api/v1/plans",
                        "POST /api/v1/plans/compare",
                        "POST /api/v1/devices",
                        "POST /api/v1/devices/batch",
                        "PUT /api/v1/devices/{name}",
                        "POST /api/v1/models",
                        "POST /api/v1/plans/simulate",
                        "PUT /api/v1/devices/{name}/channel");
    }

    private Http.Response send(String method, String target, String body) {
        return method.equals("PUT") ? http.put(target, body, null) : http.post(target, body);
    }

    @Test
    void emptyListsMeanAbsentAsGeneratedClientsSendThem() {
        String zone = unique("empty");
        assertThat(http.post("/api/v1/devices/batch", """
                {"devices": [
                  {"name": "%1$s-a", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90, "labels": {"zone": "%1$s"}},
                  {"name": "%1$s-b", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -95, "labels": {"zone": "%1$s"}}]}""".formatted(zone)).status())
                .isEqualTo(201);
        String model =
                "{\"architecture\": {\"layers\": 2, \"hidden\": 32, \"heads\": 4, \"intermediate\": 64, \"vocab\": 50265, \"maxPositions\": 66}}";
        String bySelector = """
                {"bandwidthHz": 2e7, "labelSelector": "zone=%s", "devices": [], "deviceNames": [], "blocks": [], "model": %s,
                 "maxBlocksPerDevice": 2}""".formatted(zone, model);
        Http.Response plan = http.post("/api/v1/plans", bySelector);
        assertThat(plan.status()).as(plan.body()).isEqualTo(201);
        assertThat(plan.json().path("assignments").size()).isEqualTo(2);
        Http.Response compare = http.post("/api/v1/plans/compare", bySelector);
        assertThat(compare.status()).as(compare.body()).isEqualTo(200);
        Http.Response byName = http.post("/api/v1/plans", """
                {"bandwidthHz": 2e7, "deviceNames": ["%1$s-a", "%1$s-b"], "devices": [], "model": %2$s,
                 "maxBlocksPerDevice": 2}""".formatted(zone, model));
        assertThat(byName.status()).as(byName.body()).isEqualTo(201);

        Http.Response job = http.post("/api/v1/jobs", """
                {"plan": {"bandwidthHz": 2e7, "devices": [], "deviceNames": ["%1$s-a", "%1$s-b"], "blocks": [], "model": %2$s,
                          "maxBlocksPerDevice": 2, "training": {"batchSize": 4, "seqLen": 32}},
                 "task": "sst2", "dataDir": "glue", "tokenizerDir": "roberta-base", "rounds": 1}""".formatted(zone, model));
        assertThat(job.status()).as(job.body()).isEqualTo(202);
        assertThat(http.post("/api/v1/jobs/" + job.json().path("id").asString() + "/cancel", "")
                        .status())
                .isEqualTo(200);

        // Two non-empty sources are still one too many.
        Http.Response both = http.post("/api/v1/plans", """
                {"bandwidthHz": 2e7, "labelSelector": "zone=%1$s", "deviceNames": ["%1$s-a"], "model": %2$s}""".formatted(zone, model));
        assertProblem(both, 400);
    }
}
