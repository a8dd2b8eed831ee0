package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Devices that leave a running job, with real worker processes (as {@link WorkerKillTest}): the test JVM is the API
 * only, two worker JVMs train per-device items. One device the plan uses is marked unschedulable and an idle one is
 * deleted while the job runs: the rounds after run without them, re-planned over the rest, and the job succeeds.
 * Then a second job loses so many devices that the rest cannot hold the model, and fails saying so.
 */
class DevicesLeaveTest extends ApiTest {

    @DynamicPropertySource
    static void apiOnly(DynamicPropertyRegistry registry) {
        registry.add("loladeft.role", () -> "api");
        registry.add("loladeft.files.roots", () -> JobApiTest.GLUE + "," + JobApiTest.TOKENIZER);
        registry.add("loladeft.jobs.housekeeping-interval", () -> "500ms");
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

    JsonNode awaitEnd(String id, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode job;
        do {
            job = http.get("/api/v1/jobs/" + id).json();
            if (ReplanJobTest.ended().test(job)) {
                return job;
            }
            JobApiTest.sleep(300);
        } while (System.nanoTime() < end);
        throw new AssertionError("job " + id + " did not end in " + timeout + ": " + job);
    }

    /** The device's body with {@code unschedulable} set: a conditional-free PUT an operator would send. */
    String cordoned(String name) {
        JsonNode d = http.get("/api/v1/devices/" + name).json();
        return """
                {"computeFlops": %s, "memoryBytes": %s, "txPowerDbm": %s, "channelGainDb": %s, "unschedulable": true}""".formatted(
                        d.path("computeFlops").asDouble(),
                        d.path("memoryBytes").asDouble(),
                        d.path("txPowerDbm").asDouble(),
                        d.path("channelGainDb").asDouble());
    }

    @Test
    void aRunningJobReplansAroundDevicesThatLeaveAndFailsWhenTooFewAreLeft() throws Exception {
        // Nothing else may hold the queue: other tests' leftovers would be claimed first.
        jdbc.sql("UPDATE job SET state = 'CANCELLED' WHERE state IN ('QUEUED', 'RUNNING')")
                .update();
        String zone = unique("leave");
        assertThat(http.post("/api/v1/devices/batch", """
                {"devices": [
                  {"name": "%1$s-a", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90, "labels": {"zone": "%1$s"}},
                  {"name": "%1$s-b", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -92, "labels": {"zone": "%1$s"}},
                  {"name": "%1$s-c", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -94, "labels": {"zone": "%1$s"}},
                  {"name": "%1$s-d", "computeFlops": 5e11, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -96, "labels": {"zone": "%1$s"}},
                  {"name": "%1$s-e", "computeFlops": 5e11, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -98, "labels": {"zone": "%1$s"}}]}""".formatted(zone)).status())
                .isEqualTo(201);
        Http.Response planned = http.post("/api/v1/plans", """
                {"bandwidthHz": 2e7, "labelSelector": "zone=%s", "model": %s, "maxBlocksPerDevice": 1,
                 "training": {"batchSize": 4, "seqLen": 32, "rounds": 3}}""".formatted(zone, ReplanJobTest.MODEL));
        assertThat(planned.status()).as(planned.body()).isEqualTo(201);
        JsonNode plan = planned.json();
        String planId = plan.path("id").asString();
        String involved = plan.path("assignments").get(0).path("device").asString();
        String idle = plan.path("idleDevices").get(0).asString();
        WorkerKillTest.startWorker("leave-w1", workers);
        WorkerKillTest.startWorker("leave-w2", workers);

        String perDevice = ", \"execution\": \"per-device\"";
        Http.Response created = http.post("/api/v1/jobs", ReplanJobTest.job(planId, 6, perDevice));
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String id = created.json().path("id").asString();
        // Wait for round 1 to be claimed by a worker process, then take the devices away.
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (jdbc.sql("SELECT count(*) FROM work_item WHERE job_id = ?::uuid AND worker IS NOT NULL")
                                .param(id)
                                .query(Long.class)
                                .single()
                        == 0
                && System.nanoTime() < end) {
            JobApiTest.sleep(200);
        }
        assertThat(http.put("/api/v1/devices/" + involved, cordoned(involved), null)
                        .status())
                .isEqualTo(200);
        assertThat(http.delete("/api/v1/devices/" + idle, null).status()).isEqualTo(204);

        JsonNode done = awaitEnd(id, Duration.ofMinutes(5));
        assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        int firstWithout = jdbc.sql("SELECT min(round) FROM job_round WHERE job_id = ?::uuid AND round > 1"
                        + " AND NOT EXISTS (SELECT 1 FROM work_item w WHERE w.job_id = job_round.job_id"
                        + " AND w.round = job_round.round AND w.device = ?)")
                .params(id, involved)
                .query(Integer.class)
                .single();
        assertThat(jdbc.sql("SELECT count(*) FROM work_item WHERE job_id = ?::uuid AND round >= ? AND device IN (?, ?)")
                        .params(id, firstWithout, involved, idle)
                        .query(Long.class)
                        .single())
                .as("items of the devices that left, from round %d on", firstWithout)
                .isZero();
        assertThat(firstWithout)
                .as("the first round without the cordoned device")
                .isLessThanOrEqualTo(3);
        assertThat(done.path("rounds").get(firstWithout - 1).path("replanned").asBoolean())
                .isTrue();
        assertThat(jdbc.sql("SELECT DISTINCT worker FROM work_item WHERE job_id = ?::uuid")
                        .param(id)
                        .query(String.class)
                        .list())
                .as("only the worker processes trained")
                .isSubsetOf("leave-w1", "leave-w2");

        // Three blocks (two layers and the task head), one per device, and three devices left (one cordoned, one
        // deleted): delete one more while a job runs.
        Http.Response second = http.post("/api/v1/jobs", ReplanJobTest.job(planId, 200, perDevice));
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        String id2 = second.json().path("id").asString();
        String left = List.of(zone + "-a", zone + "-b", zone + "-c", zone + "-d", zone + "-e").stream()
                .filter(n -> !n.equals(involved) && !n.equals(idle))
                .findFirst()
                .orElseThrow();
        assertThat(http.delete("/api/v1/devices/" + left, null).status()).isEqualTo(204);
        JsonNode failed = awaitEnd(id2, Duration.ofMinutes(5));
        assertThat(failed.path("state").asString()).as(failed.toString()).isEqualTo("FAILED");
        assertThat(failed.path("conditions").toString()).contains("FleetTooSmall", "cannot hold the model");
    }
}
