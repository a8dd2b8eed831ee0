package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.LolaDeftApplication;
import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import io.loladeft.support.TestAuth;
import io.loladeft.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Recovery with real processes and a real PostgreSQL: this JVM is the API only; the workers are
 * separate JVMs (the test classpath, {@code loladeft.role=worker}) on the test database. A job runs
 * undisturbed on two workers; then the same job again, and the worker holding one of its round-2
 * items is killed with SIGKILL mid-training while a replacement worker process starts. The item's
 * lease expires, a live worker redoes it, and the job ends with exactly the undisturbed run's
 * blocks, per-round global states and training losses. Then a fresh API (a second application
 * context on the same database) still serves the job, its blocks and its events. Last, a worker
 * holding an item is stopped gracefully (SIGTERM): it finishes that item, claims nothing more and
 * exits; a new worker carries the job to the same result.
 */
class WorkerKillTest extends ApiTest {

    static final Duration LEASE = Duration.ofSeconds(3);

    @DynamicPropertySource
    static void apiOnly(DynamicPropertyRegistry registry) {
        registry.add("loladeft.role", () -> "api");
        registry.add("loladeft.files.roots", () -> JobApiTest.GLUE + "," + JobApiTest.TOKENIZER);
        registry.add("loladeft.jobs.housekeeping-interval", () -> "500ms");
        registry.add("loladeft.jobs.events-poll", () -> "100ms");
    }

    @Autowired
    JdbcClient jdbc;

    final List<Process> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() throws InterruptedException {
        for (Process p : workers) {
            p.destroyForcibly().waitFor();
        }
    }

    /** A worker JVM: the application on the test classpath, role worker, on the test database. */
    Process worker(String name) throws IOException {
        return startWorker(name, workers);
    }

    /** Starts a worker JVM (see {@link #worker}) and adds it to {@code into}, for the caller to stop. */
    static Process startWorker(String name, List<Process> into) throws IOException {
        TestDatabase.Connection db = TestDatabase.get();
        Path log = Files.createTempFile("worker-" + name + "-", ".log");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dai.djl.offline=true",
                        "-Xss4m",
                        "-XX:TieredStopAtLevel=1",
                        // A small young generation: collections happen all through training, and must not
                        // change a bit of it (GcDuringTrainingTest has the cause this once exposed).
                        "-XX:+UseSerialGC",
                        "-Xmx512m",
                        "-Xmn16m",
                        "-Xlog:gc:file=" + log + ".gc",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LolaDeftApplication.class.getName(),
                        "--loladeft.role=worker",
                        "--server.port=0",
                        "--management.server.port=0",
                        "--loladeft.jobs.worker.name=" + name,
                        "--loladeft.jobs.worker.lease=" + LEASE.toSeconds() + "s",
                        "--loladeft.jobs.worker.poll=100ms",
                        "--loladeft.jobs.worker.host-flops=1e11",
                        "--spring.datasource.hikari.maximum-pool-size=3")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("TEST_DB_URL", db.url());
        pb.environment().put("TEST_DB_USER", db.username());
        pb.environment().put("TEST_DB_PASSWORD", db.password());
        Process p = pb.start();
        into.add(p);
        System.out.println("worker " + name + " (pid " + p.pid() + ") logs to " + log);
        return p;
    }

    @Test
    void aKilledWorkerLosesNothingAndARestartedApiStillServesTheJob() throws Exception {
        // Nothing else may hold the queue: other tests' leftovers would be claimed first.
        jdbc.sql("UPDATE job SET state = 'CANCELLED' WHERE state IN ('QUEUED', 'RUNNING')")
                .update();
        String planId = plan();
        Process w1 = worker("w1");
        Process w2 = worker("w2");

        String reference = submit(planId);
        JsonNode ref = awaitState(reference, "SUCCEEDED", Duration.ofMinutes(3));
        ref.path("rounds")
                .forEach(r -> r.path("devices")
                        .forEach(d -> System.out.println(
                                "reference round " + r.path("round").asInt() + " "
                                        + d.path("worker").asString() + ": "
                                        + d.path("computeSeconds").asDouble() + " s")));

        String job = submit(planId);
        long heldItem = awaitItemHeld(job, 2, "w1", Duration.ofMinutes(2));
        w1.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no completion, no heartbeat
        assertThat(item(heldItem).get("state"))
                .as("w1 finished its item before the kill")
                .isEqualTo("CLAIMED");
        worker("w3"); // the restarted worker

        JsonNode done = awaitState(job, "SUCCEEDED", Duration.ofMinutes(3));
        Map<String, Object> redone = item(heldItem);
        assertThat((Integer) redone.get("attempts"))
                .as("the killed worker's item was claimed again")
                .isGreaterThan(1);
        assertThat(redone.get("worker")).isIn("w2", "w3");
        assertThat(jdbc.sql("SELECT DISTINCT worker FROM work_item WHERE job_id IN (?::uuid, ?::uuid)")
                        .params(reference, job)
                        .query(String.class)
                        .list())
                .as("only the worker processes trained")
                .isSubsetOf("w1", "w2", "w3");

        // Exactly the undisturbed run: every item's losses (each local iteration's, so each round's input
        // state too), every round's losses, the final blocks. Round states themselves are not kept.
        System.out.println("reference items " + items(reference));
        System.out.println("killed-run items " + items(job));
        assertThat(itemLosses(job)).hasSize(6).isEqualTo(itemLosses(reference));
        assertThat(losses(done)).hasSize(3).isEqualTo(losses(ref));
        String sha = ref.path("result").path("blocksSha256").asString();
        assertThat(sha).hasSize(64);
        assertThat(done.path("result").path("blocksSha256").asString()).isEqualTo(sha);
        assertThat(done.path("result").path("metrics"))
                .isEqualTo(ref.path("result").path("metrics"));

        // A restarted API: a fresh application context on the same database serves the job as it stood.
        // Command-line arguments: they outrank the application's own properties, as in a real restart.
        try (ConfigurableApplicationContext api = new SpringApplicationBuilder(LolaDeftApplication.class)
                .run(
                        "--loladeft.role=api",
                        "--server.port=0",
                        "--management.server.port=0",
                        "--loladeft.auth.enabled=true",
                        "--loladeft.auth.api-keys=" + TestAuth.apiKeysConfig(),
                        "--spring.security.oauth2.resourceserver.jwt.public-key-location="
                                + TestAuth.publicKeyLocation(),
                        "--loladeft.files.roots=" + JobApiTest.GLUE + "," + JobApiTest.TOKENIZER)) {
            int port = ((WebServerApplicationContext) api).getWebServer().getPort();
            Http fresh = new Http(port).withHeader("X-API-Key", TestAuth.OPERATOR_KEY);
            Http.Response r = fresh.get("/api/v1/jobs/" + job);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode again = r.json();
            assertThat(again.path("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(again.path("result")).isEqualTo(done.path("result"));
            assertThat(losses(again)).isEqualTo(losses(ref));
            Http.Response blocks = fresh.get("/api/v1/jobs/" + job + "/blocks");
            assertThat(blocks.status()).isEqualTo(200);
            Http.Response stream = fresh.get("/api/v1/jobs/" + job + "/events");
            assertThat(stream.status()).as(stream.body()).isEqualTo(200);
            String events = stream.body();
            assertThat(events)
                    .contains("SUCCEEDED")
                    .containsPattern("\"round\":\\s*3")
                    .isEqualTo(http.get("/api/v1/jobs/" + job + "/events").body());
        }

        // A graceful restart: SIGTERM to a worker holding an item. It claims nothing more, finishes the
        // item in hand (its lease kept by heartbeats), exits, and its replacement carries the job on.
        String third = submit(planId);
        long graceful = awaitItemHeld(third, 0, "w2", Duration.ofMinutes(2));
        w2.destroy();
        assertThat(w2.waitFor(60, TimeUnit.SECONDS)).as("w2 exits on SIGTERM").isTrue();
        assertThat(item(graceful))
                .as("w2 finished the item it held")
                .containsEntry("state", "DONE")
                .containsEntry("worker", "w2")
                .containsEntry("attempts", 1);
        assertThat(jdbc.sql("SELECT count(*) FROM work_item WHERE worker = 'w2' AND state = 'CLAIMED'")
                        .query(Integer.class)
                        .single())
                .as("w2 left no claim behind")
                .isZero();
        worker("w4");
        JsonNode third0 = awaitState(third, "SUCCEEDED", Duration.ofMinutes(3));
        System.out.println("graceful-restart items " + items(third));
        assertThat(itemLosses(third)).isEqualTo(itemLosses(reference));
        assertThat(third0.path("result").path("blocksSha256").asString()).isEqualTo(sha);
    }

    /**
     * Checkpoints: the only worker on a job keeps round 2's blocks in hand (round 1's are stored, round 3
     * is the last); it is killed in round 3, and the process that replaces it rebuilds round 3's input by
     * training round 2 again from round 1's blocks. The job ends with the bytes of an undisturbed run.
     */
    @Test
    void aNewWorkerRebuildsTheRoundsTheKilledWorkerHeldInHand() throws Exception {
        jdbc.sql("UPDATE job SET state = 'CANCELLED' WHERE state IN ('QUEUED', 'RUNNING')")
                .update();
        String planId = plan();
        Process s1 = worker("s1");
        String reference = submit(planId);
        JsonNode ref = awaitState(reference, "SUCCEEDED", Duration.ofMinutes(3));
        assertThat(jdbc.sql("SELECT round, (updated_blocks IS NOT NULL) FROM work_item WHERE job_id = ?::uuid")
                        .param(reference)
                        .query((rs, n) -> rs.getBoolean(2))
                        .list())
                .as("a finished job keeps no item's blocks")
                .containsOnly(false);

        String job = submit(planId);
        // An item trained ahead of its claim is held for moments only: wait for one s1 is training.
        long held = awaitItemHeld(job, 3, "s1", Duration.ofMinutes(2));
        Thread.sleep(300);
        if (!"CLAIMED".equals(item(held).get("state"))) {
            held = awaitItemHeld(job, 3, "s1", Duration.ofMinutes(2));
        }
        s1.destroyForcibly().waitFor(); // SIGKILL: round 2's blocks were in its hand only
        assertThat(item(held).get("state"))
                .as("s1 finished its item before the kill")
                .isEqualTo("CLAIMED");
        assertThat(storedBlocks(job))
                .as("round 1's items stored their blocks; round 2's, trained by the job's only worker, did not")
                .containsEntry("1a", true)
                .containsEntry("1b", true)
                .containsEntry("2a", false)
                .containsEntry("2b", false);
        worker("s2");

        JsonNode done = awaitState(job, "SUCCEEDED", Duration.ofMinutes(3));
        assertThat((Integer) item(held).get("attempts")).isGreaterThan(1);
        assertThat(item(held).get("worker")).isEqualTo("s2");
        assertThat(itemLosses(job)).hasSize(6).isEqualTo(itemLosses(reference));
        assertThat(losses(done)).hasSize(3).isEqualTo(losses(ref));
        assertThat(done.path("result").path("blocksSha256").asString())
                .hasSize(64)
                .isEqualTo(ref.path("result").path("blocksSha256").asString());
    }

    /** Whether each item (round and device's last letter) holds stored blocks. */
    Map<String, Boolean> storedBlocks(String job) {
        Map<String, Boolean> out = new TreeMap<>();
        jdbc.sql("SELECT round, right(device, 1), updated_blocks IS NOT NULL FROM work_item WHERE job_id = ?::uuid")
                .param(job)
                .query((rs, n) -> out.put(rs.getInt(1) + rs.getString(2), rs.getBoolean(3)))
                .list();
        return out;
    }

    /** Two devices sharing the LoRA blocks and the head (up to two each), on a tiny RoBERTa; enough local iterations that an item takes seconds. */
    String plan() {
        String zone = unique("kill");
        assertThat(http.post("/api/v1/devices/batch", """
                {"devices": [
                  {"name": "%1$s-a", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90, "labels": {"zone": "%1$s"}},
                  {"name": "%1$s-b", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -95, "labels": {"zone": "%1$s"}}]}""".formatted(zone)).status())
                .isEqualTo(201);
        Http.Response plan = http.post("/api/v1/plans", """
                {"bandwidthHz": 2e7, "labelSelector": "zone=%s", "maxBlocksPerDevice": 2,
                 "model": {"architecture": {"layers": 2, "hidden": 32, "heads": 4, "intermediate": 64, "vocab": 50265, "maxPositions": 66},
                           "block": {"kind": "lora", "rank": 4, "alpha": 8}},
                 "training": {"batchSize": 4, "seqLen": 32, "rounds": 3, "localIterations": 150}}""".formatted(zone));
        assertThat(plan.status()).as(plan.body()).isEqualTo(201);
        return plan.json().path("id").asString();
    }

    String submit(String planId) {
        Http.Response r = http.post("/api/v1/jobs", """
                {"planId": "%s", "task": "sst2", "dataDir": "%s", "tokenizerDir": "%s", "learningRate": 0.005, "seed": 11}""".formatted(planId, JobApiTest.GLUE, JobApiTest.TOKENIZER));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return r.json().path("id").asString();
    }

    /** The id of an item of {@code round} (0: any round) that {@code worker} holds, once it holds one. */
    long awaitItemHeld(String job, int round, String worker, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            List<Long> held = jdbc.sql("SELECT id FROM work_item WHERE job_id = ?::uuid AND (? = 0 OR round = ?)"
                            + " AND state = 'CLAIMED' AND worker = ?")
                    .params(job, round, round, worker)
                    .query(Long.class)
                    .list();
            if (!held.isEmpty()) {
                return held.get(0);
            }
            assertThat(jdbc.sql("SELECT state FROM job WHERE id = ?::uuid")
                            .param(job)
                            .query(String.class)
                            .single())
                    .isIn("QUEUED", "RUNNING");
            Thread.sleep(20);
        }
        throw new AssertionError(worker + " never held a round-" + round + " item of job " + job);
    }

    Map<String, Object> item(long id) {
        return jdbc.sql("SELECT state, attempts, worker FROM work_item WHERE id = ?")
                .param(id)
                .query()
                .singleRow();
    }

    /** Each item (round, device) as "worker xattempts", in order. */
    List<String> items(String job) {
        return jdbc.sql("SELECT round, right(device, 1), worker, attempts FROM work_item WHERE job_id = ?::uuid"
                        + " ORDER BY round, device")
                .param(job)
                .query((rs, n) -> rs.getInt(1) + rs.getString(2) + " " + rs.getString(3) + " x" + rs.getInt(4))
                .list();
    }

    /** Each item's per-iteration training losses, keyed by round and device. */
    Map<String, String> itemLosses(String job) {
        Map<String, String> out = new TreeMap<>();
        jdbc.sql("SELECT round, right(device, 1), result->>'losses' FROM work_item WHERE job_id = ?::uuid")
                .param(job)
                .query((rs, n) -> out.put(rs.getInt(1) + rs.getString(2), rs.getString(3)))
                .list();
        return out;
    }

    static List<Double> losses(JsonNode job) {
        List<Double> out = new ArrayList<>();
        job.path("rounds").forEach(r -> out.add(r.path("trainingLoss").asDouble()));
        return out;
    }

    JsonNode awaitState(String id, String state, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode job = null;
        while (System.nanoTime() < end) {
            job = http.get("/api/v1/jobs/" + id).json();
            if (job.path("state").asString().equals(state)) {
                return job;
            }
            assertThat(job.path("state").asString()).as(job.toString()).isIn("QUEUED", "RUNNING");
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " not " + state + " in " + timeout + ": " + job);
    }
}
