package io.loladeft;

import static io.loladeft.HelmChartTest.asMap;
import static io.loladeft.HelmChartTest.at;
import static io.loladeft.HelmChartTest.container;
import static io.loladeft.HelmChartTest.one;
import static io.loladeft.HelmChartTest.render;
import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.common.PathRoots;
import io.loladeft.finetune.TestData;
import io.loladeft.support.Http;
import io.loladeft.support.TestAuth;
import io.loladeft.support.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The chart's environment is the application's configuration: render the chart, take exactly the
 * environment variables it gives the API and the worker container (ConfigMap, plain values, Secret
 * references resolved), start the application twice with that environment as its only operating
 * system environment (an API and a worker, on the test database), and run a small job with the
 * chart's documented {@code "dataDir": "glue"} on the data volume's layout.
 *
 * <p>Only what a pod has and a JVM shared with other contexts lacks is added: the volume is a
 * temporary directory ({@code data.mountPath}), the API key Secret the operator would create is
 * given here, and the worker's ports are any free ones (in a cluster each pod has its own network).
 * Every variable the chart renders must be listed in {@link #REACHES}, with the check that proves
 * the application read it; a new one fails this test until it is.
 */
class ChartEnvironmentJobTest {

    /** Each rendered variable and where this test shows it took effect. */
    static final Map<String, String> REACHES = Map.ofEntries(
            Map.entry("SPRING_DATASOURCE_URL", "the job runs on the test database"),
            Map.entry("SPRING_DATASOURCE_USERNAME", "the job runs on the test database"),
            Map.entry("SPRING_DATASOURCE_PASSWORD", "the job runs on the test database"),
            Map.entry("LOLADEFT_EMBEDDED_DB_ENABLED", "no embedded database bean"),
            Map.entry("LOLADEFT_FILES_ROOTS", "PathRoots is the data volume; dataDir glue resolves in it"),
            Map.entry("LOLADEFT_AUTH_ENABLED", "a call without a key is 401"),
            Map.entry("LOLADEFT_AUTH_API_KEYS", "the operator key from the Secret is accepted"),
            Map.entry("LOLADEFT_ROLE", "the API runs no worker; the worker trains the job"),
            Map.entry("MANAGEMENT_SERVER_PORT", "Prometheus answers on the rendered port"),
            Map.entry("LOLADEFT_JOBS_WORKER_HOST_FLOPS", "worker.env: no calibration, the emulation uses it"),
            // Read by DJL itself (System.getenv), not by Spring; the image's own defaults are the same.
            Map.entry("DJL_CACHE_DIR", "DJL (not Spring)"),
            Map.entry("ENGINE_CACHE_DIR", "DJL (not Spring)"));

    static final String API_KEYS_SECRET = "loladeft-api-keys";

    @TempDir
    Path tmp;

    @Test
    void theChartsEnvironmentRunsAJobOnItsDataVolume() throws Exception {
        Path data = dataVolume();
        TestDatabase.Connection db = TestDatabase.get();
        int managementPort = freePort();
        var objects = render(Map.of(
                "database.url",
                db.url(),
                "database.username",
                db.username(),
                "database.password",
                db.password(),
                "data.mountPath",
                data.toString(),
                "auth.apiKeys.existingSecret",
                API_KEYS_SECRET,
                "metrics.managementPort",
                managementPort,
                "worker.env.LOLADEFT_JOBS_WORKER_HOST_FLOPS",
                "1e11"));
        // What `kubectl create secret generic loladeft-api-keys --from-file=api-keys=...` would hold.
        Map<String, Map<String, String>> externalSecrets =
                Map.of(API_KEYS_SECRET, Map.of("api-keys", TestAuth.apiKeysConfig()));

        Map<String, String> apiEnv = containerEnv(objects, "api", externalSecrets);
        Map<String, String> workerEnv = containerEnv(objects, "worker", externalSecrets);
        assertThat(apiEnv)
                .containsEntry("LOLADEFT_FILES_ROOTS", data.toString())
                .containsEntry("LOLADEFT_ROLE", "api");
        assertThat(workerEnv).containsEntry("LOLADEFT_ROLE", "worker");
        var unproven = new TreeSet<>(apiEnv.keySet());
        unproven.addAll(workerEnv.keySet());
        unproven.removeAll(REACHES.keySet());
        assertThat(unproven)
                .as("variables the chart renders that no check here shows reaching the app")
                .isEmpty();

        try (ConfigurableApplicationContext api = start(apiEnv, Map.of("server.port", "0"))) {
            Http anonymous = new Http(port(api));
            Http http = new Http(port(api)).withHeader("X-API-Key", TestAuth.OPERATOR_KEY);
            assertThat(api.getBean(PathRoots.class).roots()).containsExactly(data);
            assertThat(api.getBeanNamesForType(EmbeddedPostgres.class)).isEmpty();
            assertThat(anonymous.get("/api/v1/devices").status()).isEqualTo(401);
            assertThat(http.get("/api/v1/devices?size=1").status()).isEqualTo(200);
            assertThat(new Http(managementPort).get("/actuator/prometheus").body())
                    .contains("jvm_memory_used_bytes");
            assertThat(api.getEnvironment().getProperty("loladeft.role")).isEqualTo("api");

            // Nothing else may hold the queue: this test's worker must train only this test's job.
            api.getBean(JdbcClient.class)
                    .sql("UPDATE job SET state = 'CANCELLED' WHERE state IN ('QUEUED', 'RUNNING')")
                    .update();
            Http.Response submitted = http.post("/api/v1/jobs", """
                    {"plan": {"bandwidthHz": 2e7, "maxBlocksPerDevice": 2,
                              "devices": [
                                {"name": "a", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90},
                                {"name": "b", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -95}],
                              "model": {"architecture": {"layers": 2, "hidden": 32, "heads": 4, "intermediate": 64,
                                                         "vocab": 50265, "maxPositions": 66},
                                        "block": {"kind": "lora", "rank": 4, "alpha": 8}},
                              "training": {"batchSize": 4, "seqLen": 32, "rounds": 2}},
                     "task": "sst2", "dataDir": "glue", "tokenizerDir": "roberta-base", "learningRate": 0.05, "seed": 3}""");
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
            String id = submitted.json().path("id").asString();

            // The worker pod: its own ports, as every pod has its own network.
            try (ConfigurableApplicationContext worker =
                    start(workerEnv, Map.of("server.port", "0", "management.server.port", "0"))) {
                assertThat(worker.getBean(PathRoots.class).roots()).containsExactly(data);
                JsonNode job = awaitEnd(http, id, Duration.ofMinutes(3));
                assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
                assertThat(job.path("rounds").size()).isEqualTo(2);
                job.path("rounds")
                        .forEach(r -> r.path("devices")
                                .forEach(d -> assertThat(
                                                d.path("emulatedComputeSeconds").asDouble())
                                        .isPositive()));
                assertThat(http.get("/api/v1/jobs/" + id + "/blocks").status()).isEqualTo(200);
            }
        }
    }

    /** The data volume as the chart documents it: GLUE under glue/, the tokenizer under roberta-base/. */
    Path dataVolume() throws IOException {
        Path data = tmp.resolve("data");
        Path sst2 = Files.createDirectories(data.resolve("glue/SST-2"));
        for (String f : List.of("train.tsv", "dev.tsv")) {
            Files.copy(TestData.resource("glue/SST-2/" + f), sst2.resolve(f));
        }
        Path tokenizer = Files.createDirectories(data.resolve("roberta-base"));
        for (String f : List.of("vocab.json", "merges.txt")) {
            Files.copy(TestData.robertaBaseTokenizer().resolve(f), tokenizer.resolve(f));
        }
        return data.toRealPath();
    }

    /** A container's environment as the kubelet would give it: envFrom ConfigMaps, then env (values and Secret keys). */
    static Map<String, String> containerEnv(
            List<Map<String, Object>> objects, String role, Map<String, Map<String, String>> externalSecrets) {
        var deployment = objects.stream()
                .filter(o -> "Deployment".equals(o.get("kind"))
                        && role.equals(at(o, "metadata.labels.app\\.kubernetes\\.io/component")))
                .findFirst()
                .orElseThrow();
        var c = container(deployment);
        var env = new LinkedHashMap<String, String>();
        for (Object from : (List<?>) c.get("envFrom")) {
            String name = (String) at(from, "configMapRef.name");
            asMap(one(objects, "ConfigMap", name).get("data")).forEach((k, v) -> env.put(k, (String) v));
        }
        for (Object e : (List<?>) c.get("env")) {
            var entry = asMap(e);
            String name = (String) entry.get("name");
            if (entry.containsKey("value")) {
                env.put(name, (String) entry.get("value"));
            } else {
                String secret = (String) at(entry, "valueFrom.secretKeyRef.name");
                String key = (String) at(entry, "valueFrom.secretKeyRef.key");
                env.put(name, secretValue(objects, externalSecrets, secret, key));
            }
        }
        return env;
    }

    static String secretValue(
            List<Map<String, Object>> objects, Map<String, Map<String, String>> external, String secret, String key) {
        if (external.containsKey(secret)) {
            return external.get(secret).get(key);
        }
        Object encoded = at(one(objects, "Secret", secret), "data." + key);
        return new String(Base64.getDecoder().decode((String) encoded), StandardCharsets.UTF_8);
    }

    /**
     * The application with {@code env} as its whole operating-system environment (relaxed binding
     * exactly as in a container), plus {@code podOnly} for what each pod has to itself.
     */
    static ConfigurableApplicationContext start(Map<String, String> env, Map<String, String> podOnly) {
        StandardEnvironment environment = new StandardEnvironment();
        var sources = environment.getPropertySources();
        sources.replace(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new LinkedHashMap<>(env)));
        sources.addFirst(new MapPropertySource("pod", new LinkedHashMap<>(podOnly)));
        return new SpringApplicationBuilder(LolaDeftApplication.class)
                .environment(environment)
                .run();
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static JsonNode awaitEnd(Http http, String id, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode job;
        do {
            job = http.get("/api/v1/jobs/" + id).json();
            if (Set.of("SUCCEEDED", "FAILED", "CANCELLED")
                    .contains(job.path("state").asString())) {
                return job;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < end);
        throw new AssertionError("job " + id + " did not end in " + timeout + ": " + job);
    }
}
