package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loladeft.finetune.TestData;
import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import io.loladeft.support.TestAuth;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Jobs end to end over real HTTP and PostgreSQL with a worker in the same process: register a
 * fleet, plan, run a job on a tiny RoBERTa over the SST-2 fixture to SUCCEEDED, read its rounds,
 * events, blocks and metrics; the same seed gives the same blocks; and every refusal is a problem.
 * The context is closed afterwards: its worker must not go on claiming jobs that later test classes
 * create in the shared database (WorkerKillTest's must be trained by its worker processes only).
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class JobApiTest extends ApiTest {

    static final Path GLUE = TestData.resource("glue");
    static final Path TOKENIZER = TestData.robertaBaseTokenizer();

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void jobs(DynamicPropertyRegistry registry) {
        registry.add("loladeft.role", () -> "both");
        registry.add("loladeft.files.roots", () -> GLUE + "," + TOKENIZER);
        registry.add("loladeft.jobs.worker.poll", () -> "100ms");
        registry.add("loladeft.jobs.worker.host-flops", () -> "1e11");
        registry.add("loladeft.jobs.housekeeping-interval", () -> "300ms");
        registry.add("loladeft.jobs.events-poll", () -> "100ms");
        registry.add("loladeft.limits.max-concurrent-jobs", () -> "3");
        registry.add("loladeft.limits.max-job-rounds", () -> "5000");
    }

    static final String MODEL = """
            {"architecture": {"layers": 2, "hidden": 32, "heads": 4, "intermediate": 64, "vocab": 50265, "maxPositions": 66},
             "block": {"kind": "lora", "rank": 4, "alpha": 8}}""";

    /** A fleet of three registered devices under a fresh label, and a stored plan for it (one block each). */
    String plan() {
        String zone = unique("jobs");
        String devices = """
                {"devices": [
                  {"name": "%1$s-a", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90, "labels": {"zone": "%1$s"}},
                  {"name": "%1$s-b", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -95, "labels": {"zone": "%1$s"}},
                  {"name": "%1$s-c", "computeFlops": 5e11, "memoryBytes": 4e9, "txPowerDbm": 20, "channelGainDb": -100, "labels": {"zone": "%1$s"}}]}""".formatted(zone);
        assertThat(http.post("/api/v1/devices/batch", devices).status()).isEqualTo(201);
        Http.Response plan = http.post("/api/v1/plans", """
                {"bandwidthHz": 2e7, "labelSelector": "zone=%s", "model": %s, "maxBlocksPerDevice": 1,
                 "training": {"batchSize": 4, "seqLen": 32, "rounds": 3}}""".formatted(zone, MODEL));
        assertThat(plan.status()).as(plan.body()).isEqualTo(201);
        return plan.json().path("id").asString();
    }

    static String job(String planId, int rounds, String extra) {
        return """
                {"planId": "%s", "task": "sst2", "dataDir": "%s", "tokenizerDir": "%s", "rounds": %d,
                 "optimizer": "sgd", "learningRate": 0.05, "evalEvery": 2, "seed": 7%s}""".formatted(planId, GLUE, TOKENIZER, rounds, extra);
    }

    JsonNode await(String id, Predicate<JsonNode> until, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode job;
        do {
            Http.Response r = http.get("/api/v1/jobs/" + id);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            job = r.json();
            if (until.test(job)) {
                return job;
            }
            sleep(200);
        } while (System.nanoTime() < end);
        throw new AssertionError("job " + id + " did not get there in " + timeout + ": " + job);
    }

    static Predicate<JsonNode> state(String s) {
        return j -> j.path("state").asString().equals(s);
    }

    @Test
    void aJobRunsToSucceededWithMetricsEventsAndBlocks() {
        String planId = plan();
        Http.Response created = http.post("/api/v1/jobs", job(planId, 3, PER_DEVICE));
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String id = created.json().path("id").asString();
        assertThat(created.header("Location")).isEqualTo("/api/v1/jobs/" + id);
        assertThat(created.header("Retry-After")).isEqualTo("5");
        assertThat(created.json().path("state").asString()).isIn("QUEUED", "RUNNING");

        JsonNode job = await(id, state("SUCCEEDED"), Duration.ofMinutes(3));
        assertThat(job.path("planId").asString()).isEqualTo(planId);
        assertThat(job.path("progress").path("round").asInt()).isEqualTo(3);
        assertThat(job.path("progress").path("percent").asDouble()).isEqualTo(100.0);
        List<String> conditions = new ArrayList<>();
        job.path("conditions")
                .forEach(c -> conditions.add(
                        c.path("type").asString() + "=" + c.path("status").asString()));
        // PlanDrift says whether the last round's emulated latency drifted from the plan's (measured, so either).
        assertThat(conditions).hasSize(4);
        assertThat(conditions.get(2)).isIn("PlanDrift=True", "PlanDrift=False");
        conditions.remove(2);
        assertThat(conditions).containsExactly("Accepted=True", "Running=False", "Complete=True");
        assertThat(job.path("settings").path("batchSize").asInt()).isEqualTo(4);
        assertThat(job.path("settings").path("seqLen").asInt()).isEqualTo(32);

        // Three devices, two layers' blocks and the head's, one block each: all three work.
        assertThat(job.path("devices").size()).isEqualTo(3);
        job.path("devices").forEach(d -> assertThat(d.path("state").asString()).isEqualTo("DONE"));
        Http.Response chart = http.get("/api/v1/jobs/" + id + "/chart.svg");
        assertThat(chart.status()).isEqualTo(200);
        assertThat(chart.header("Content-Type")).startsWith("image/svg+xml");
        assertThat(chart.body()).startsWith("<svg").contains("training loss", "dev accuracy", "predicted by the plan");
        // loss, the dev accuracy (evaluated at rounds 2 and 3), emulated and predicted latency
        assertThat(chart.body().split("<polyline", -1)).hasSize(5);
        JsonNode rounds = job.path("rounds");
        assertThat(rounds.size()).isEqualTo(3);
        for (JsonNode r : rounds) {
            assertThat(r.path("trainingLoss").asDouble()).isPositive();
            assertThat(r.path("predictedRoundLatencySeconds").asDouble()).isPositive();
            double slowest = 0;
            for (JsonNode d : r.path("devices")) {
                assertThat(d.path("computeSeconds").asDouble()).isPositive();
                assertThat(d.path("uploadBytes").asLong()).isPositive();
                assertThat(d.path("emulatedComputeSeconds").asDouble())
                        .isCloseTo(
                                d.path("computeSeconds").asDouble()
                                        * 1e11
                                        / flops(d.path("device").asString()),
                                within(1e-9));
                slowest = Math.max(slowest, d.path("emulatedLatencySeconds").asDouble());
            }
            assertThat(r.path("emulatedRoundLatencySeconds").asDouble()).isEqualTo(slowest);
        }
        assertThat(rounds.get(0).has("devMetrics")).isFalse();
        assertThat(rounds.get(1).path("devMetrics").has("accuracy")).isTrue();
        double accuracy = rounds.get(2).path("devMetrics").path("accuracy").asDouble();
        assertThat(job.path("result").path("metrics").path("accuracy").asDouble())
                .isEqualTo(accuracy);
        assertThat(accuracy).isBetween(0.0, 1.0);

        // Only the result is kept: each round's input and updates are dropped once merged.
        assertThat(jdbc.sql(
                                "SELECT (SELECT count(*) FROM job_round WHERE job_id = ?::uuid AND global_blocks IS NOT NULL)"
                                        + " + (SELECT count(*) FROM work_item WHERE job_id = ?::uuid AND updated_blocks IS NOT NULL)")
                        .params(id, id)
                        .query(Long.class)
                        .single())
                .isZero();

        Http.Response blocks = http.get("/api/v1/jobs/" + id + "/blocks");
        assertThat(blocks.status()).isEqualTo(200);
        assertThat(blocks.header("Content-Type")).startsWith("application/octet-stream");
        assertThat(job.path("result").path("blocks").asString()).isEqualTo("/api/v1/jobs/" + id + "/blocks");

        Http.Response events = http.get("/api/v1/jobs/" + id + "/events");
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.header("Content-Type")).startsWith("text/event-stream");
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String line : events.body().split("\n")) {
            if (line.startsWith("id:")) {
                ids.add(line.substring(3).trim());
            } else if (line.startsWith("event:")) {
                names.add(line.substring(6).trim());
            }
        }
        assertThat(names).containsExactly("state", "state", "progress", "progress", "progress", "state");
        assertThat(events.body()).contains("\"SUCCEEDED\"");
        Http resumed =
                new Http(port).withHeader("X-API-Key", TestAuth.READER_KEY).withHeader("Last-Event-ID", ids.get(3));
        String rest = resumed.get("/api/v1/jobs/" + id + "/events").body();
        assertThat(rest)
                .doesNotContain("id:" + ids.get(3) + "\n")
                .contains("id:" + ids.get(4))
                .contains("id:" + ids.get(5));

        Http.Response list = http.get("/api/v1/jobs?state=SUCCEEDED&planId=" + planId);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("items").size()).isEqualTo(1);

        String prometheus = new Http(managementPort).get("/actuator/prometheus").body();
        assertThat(prometheus)
                .contains(
                        "loladeft_jobs{state=\"SUCCEEDED\"}",
                        "loladeft_jobs_queue_depth",
                        "loladeft_jobs_round_duration_seconds_count");
        // Three rounds of two items, one evaluation (round 2) before the last round's: every phase timed.
        assertThat(phaseCount(prometheus, "train")).isGreaterThanOrEqualTo(6);
        assertThat(phaseCount(prometheus, "store")).isGreaterThanOrEqualTo(3);
        assertThat(phaseCount(prometheus, "merge")).isGreaterThanOrEqualTo(3);
        assertThat(phaseCount(prometheus, "evaluate")).isGreaterThanOrEqualTo(2);
        assertThat(prometheus).doesNotContain(id);

        // The same seed on the same plan: bit-identical blocks.
        String again = http.post("/api/v1/jobs", job(planId, 3, PER_DEVICE))
                .json()
                .path("id")
                .asString();
        JsonNode second = await(again, state("SUCCEEDED"), Duration.ofMinutes(3));
        assertThat(second.path("result").path("blocksSha256").asString())
                .isEqualTo(job.path("result").path("blocksSha256").asString());
        assertThat(second.path("result").path("metrics"))
                .isEqualTo(job.path("result").path("metrics"));
    }

    /** Each device trains its own item (fused, the default with one local iteration, runs one per round). */
    static final String PER_DEVICE = ", \"execution\": \"per-device\"";

    /**
     * A fused round computes every device's update in one pass: with one local iteration each device
     * starts from the round's state and batch, so the blocks, losses and metrics are those of the
     * per-device run, bit for bit (AdamW, dropout on), and each device is shown its own blocks' bytes and
     * its FLOPs' share of the measured step.
     */
    @Test
    void aFusedRoundTrainsWhatItsDevicesWouldEachTrain() {
        String planId = plan();
        String adamw = ", \"optimizer\": \"adamw\", \"learningRate\": 0.01";
        String perDevice = http.post(
                        "/api/v1/jobs",
                        job(planId, 3, PER_DEVICE)
                                .replace(", \"optimizer\": \"sgd\", \"learningRate\": 0.05", "")
                                .replace("}", adamw + "}"))
                .json()
                .path("id")
                .asString();
        Http.Response created = http.post(
                "/api/v1/jobs",
                job(planId, 3, "")
                        .replace(", \"optimizer\": \"sgd\", \"learningRate\": 0.05", "")
                        .replace("}", adamw + "}"));
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String fused = created.json().path("id").asString();
        JsonNode a = await(perDevice, state("SUCCEEDED"), Duration.ofMinutes(3));
        JsonNode b = await(fused, state("SUCCEEDED"), Duration.ofMinutes(3));
        assertThat(a.path("settings").path("execution").asString()).isEqualTo("per-device");
        assertThat(b.path("settings").path("execution").asString()).isEqualTo("fused");
        assertThat(b.path("settings").path("optimizer").asString()).isEqualTo("adamw");
        assertThat(b.path("result").path("blocksSha256").asString())
                .isEqualTo(a.path("result").path("blocksSha256").asString());
        assertThat(b.path("result").path("metrics")).isEqualTo(a.path("result").path("metrics"));
        // One item per round, shown as each device's.
        assertThat(jdbc.sql("SELECT count(*) FROM work_item WHERE job_id = ?::uuid AND round = 2")
                        .param(fused)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        // Two layers and the head's block, one block per device: the head trains on a device of its own, not with
        // the top layer's block, in both jobs, and the two still agree bit for bit.
        assertThat(b.path("devices").size()).isEqualTo(3);
        assertThat(owner(b, 3)).isNotNull().isNotEqualTo(owner(b, 2)).isEqualTo(owner(a, 3));
        for (int r = 0; r < 3; r++) {
            JsonNode ra = a.path("rounds").get(r);
            JsonNode rb = b.path("rounds").get(r);
            assertThat(rb.path("trainingLoss").asDouble())
                    .isEqualTo(ra.path("trainingLoss").asDouble());
            assertThat(rb.path("devices").size()).isEqualTo(3);
            for (int d = 0; d < 3; d++) {
                JsonNode da = ra.path("devices").get(d);
                JsonNode db = rb.path("devices").get(d);
                assertThat(db.path("device").asString())
                        .isEqualTo(da.path("device").asString());
                assertThat(db.path("uploadBytes").asLong())
                        .isEqualTo(da.path("uploadBytes").asLong());
                assertThat(db.path("predictedLatencySeconds").asDouble())
                        .isEqualTo(da.path("predictedLatencySeconds").asDouble());
                assertThat(db.path("computeSeconds").asDouble()).isPositive();
            }
            // The device with the deepest block does nearly the whole step; the other less.
            JsonNode deep = deepest(b, rb);
            for (JsonNode db : rb.path("devices")) {
                if (db != deep) {
                    assertThat(db.path("computeSeconds").asDouble())
                            .isLessThan(deep.path("computeSeconds").asDouble());
                }
            }
        }
        Http.Response bad = http.post("/api/v1/jobs", job(planId, 3, ", \"execution\": \"sideways\""));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("execution");
        // Several local iterations: each device's later ones see only its own updates, so no fused round.
        Http.Response twice = http.post("/api/v1/plans", """
                {"bandwidthHz": 2e7, "devices": [
                  {"name": "solo-a", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90},
                  {"name": "solo-b", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -95}],
                 "model": %s, "maxBlocksPerDevice": 2,
                 "training": {"batchSize": 4, "seqLen": 32, "rounds": 1, "localIterations": 2}}""".formatted(MODEL));
        assertThat(twice.status()).as(twice.body()).isEqualTo(201);
        String several = twice.json().path("id").asString();
        Http.Response refused = http.post("/api/v1/jobs", job(several, 1, ", \"execution\": \"fused\""));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.body()).contains("execution", "one local iteration");
        Http.Response defaulted = http.post("/api/v1/jobs", job(several, 1, ""));
        assertThat(defaulted.status()).as(defaulted.body()).isEqualTo(202);
        assertThat(defaulted.json().path("settings").path("execution").asString())
                .isEqualTo("per-device");
        await(defaulted.json().path("id").asString(), state("SUCCEEDED"), Duration.ofMinutes(3));
    }

    /** The device that trains block {@code block} in the job (3: the head's, of the two-layer model), or null. */
    static String owner(JsonNode job, int block) {
        for (JsonNode d : job.path("devices")) {
            for (JsonNode l : d.path("layers")) {
                if (l.asInt() == block) {
                    return d.path("device").asString();
                }
            }
        }
        return null;
    }

    /** The device round of the device that trains layer 1. */
    static JsonNode deepest(JsonNode job, JsonNode round) {
        String name = null;
        for (JsonNode d : job.path("devices")) {
            for (JsonNode l : d.path("layers")) {
                if (l.asInt() == 1) {
                    name = d.path("device").asString();
                }
            }
        }
        for (JsonNode d : round.path("devices")) {
            if (d.path("device").asString().equals(name)) {
                return d;
            }
        }
        throw new AssertionError("no device trains layer 1");
    }

    /**
     * A worker that trained every item of a round trains the next round's first item ahead of its claim while
     * the round is stored (and, per device, the round's next item while the previous is stored); that is taken
     * when the claim brings it, and between checkpoints the items keep their blocks in hand. The bytes must be
     * those of the same job
     * trained the ordinary way: every round evaluating (such a round completes on the training thread, and
     * nothing is trained ahead after it), fused and per device.
     */
    @Test
    void roundsTrainedAheadOfTheirClaimGiveTheBytesOfTheOrdinaryWay() {
        String planId = plan();
        for (String execution : List.of("", PER_DEVICE)) {
            double taken = aheadCount("taken");
            String ahead = http.post(
                            "/api/v1/jobs", job(planId, 4, execution).replace("\"evalEvery\": 2", "\"evalEvery\": 0"))
                    .json()
                    .path("id")
                    .asString();
            JsonNode a = await(ahead, state("SUCCEEDED"), Duration.ofMinutes(3));
            // Rounds 2, 3 and 4 are trained ahead (round 1 has no round before it); the last round evaluates.
            assertThat(aheadCount("taken") - taken).as(execution).isGreaterThanOrEqualTo(2);
            String ordinary = http.post(
                            "/api/v1/jobs", job(planId, 4, execution).replace("\"evalEvery\": 2", "\"evalEvery\": 1"))
                    .json()
                    .path("id")
                    .asString();
            JsonNode b = await(ordinary, state("SUCCEEDED"), Duration.ofMinutes(3));
            assertThat(a.path("result").path("blocksSha256").asString())
                    .isEqualTo(b.path("result").path("blocksSha256").asString());
            assertThat(a.path("result").path("metrics"))
                    .isEqualTo(b.path("result").path("metrics"));
            assertThat(a.path("rounds").size()).isEqualTo(4);
            for (int r = 0; r < 4; r++) {
                assertThat(a.path("rounds").get(r).path("trainingLoss").asDouble())
                        .as("round %d", r + 1)
                        .isEqualTo(b.path("rounds").get(r).path("trainingLoss").asDouble());
            }
        }
    }

    /** Items the worker trained ahead of their claim, by outcome, from the Prometheus text. */
    double aheadCount(String outcome) {
        String key = "loladeft_jobs_worker_ahead_total{outcome=\"" + outcome + "\"}";
        return new Http(managementPort)
                .get("/actuator/prometheus")
                .body()
                .lines()
                .filter(l -> l.startsWith(key))
                .mapToDouble(l -> Double.parseDouble(l.substring(key.length()).trim()))
                .findFirst()
                .orElse(0);
    }

    /** How many times the worker timed a phase, from the Prometheus text. */
    static double phaseCount(String prometheus, String phase) {
        String key = "loladeft_jobs_worker_phase_seconds_count{phase=\"" + phase + "\"}";
        return prometheus
                .lines()
                .filter(l -> l.startsWith(key))
                .mapToDouble(l -> Double.parseDouble(l.substring(key.length()).trim()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(key + " missing"));
    }

    double flops(String device) {
        return switch (device.substring(device.length() - 1)) {
            case "a" -> 2e12;
            case "b" -> 1e12;
            default -> 5e11;
        };
    }

    @Test
    void idempotencyKeyReturnsTheSameJobAndRefusesAnotherBody() {
        String planId = plan();
        Http keyed = new Http(port)
                .withHeader("X-API-Key", TestAuth.OPERATOR_KEY)
                .withHeader("Idempotency-Key", unique("key"));
        Http.Response first = keyed.post("/api/v1/jobs", job(planId, 2000, ""));
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        Http.Response repeat = keyed.post("/api/v1/jobs", job(planId, 2000, ""));
        assertThat(repeat.status()).isEqualTo(202);
        assertThat(repeat.json().path("id").asString())
                .isEqualTo(first.json().path("id").asString());
        assertProblem(keyed.post("/api/v1/jobs", job(planId, 1999, "")), 422);
        String id = first.json().path("id").asString();
        assertThat(http.post("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(200);
    }

    @Test
    void cancelStopsTheItemsAndDeadlineFailsTheJob() {
        String planId = plan();
        String id = http.post("/api/v1/jobs", job(planId, 2000, ""))
                .json()
                .path("id")
                .asString();
        await(id, j -> j.path("progress").path("round").asInt() >= 1, Duration.ofMinutes(2));
        Http.Response cancelled = http.post("/api/v1/jobs/" + id + "/cancel", "");
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().path("state").asString()).isEqualTo("CANCELLED");
        JsonNode job = cancelled.json();
        job.path("devices").forEach(d -> assertThat(d.path("state").asString()).isIn("CANCELLED", "DONE"));
        int round = job.path("progress").path("round").asInt();
        sleep(1500);
        assertThat(http.get("/api/v1/jobs/" + id)
                        .json()
                        .path("progress")
                        .path("round")
                        .asInt())
                .isEqualTo(round);
        assertProblem(http.post("/api/v1/jobs/" + id + "/cancel", ""), 409);
        assertProblem(http.get("/api/v1/jobs/" + id + "/blocks"), 409);

        String late = http.post("/api/v1/jobs", job(planId, 2000, ", \"deadlineSeconds\": 2"))
                .json()
                .path("id")
                .asString();
        JsonNode failed = await(late, state("FAILED"), Duration.ofSeconds(60));
        JsonNode condition =
                failed.path("conditions").get(failed.path("conditions").size() - 1);
        assertThat(condition.path("type").asString()).isEqualTo("Failed");
        assertThat(condition.path("reason").asString()).isEqualTo("DeadlineExceeded");
    }

    @Test
    void concurrentJobsPerCallerAreLimited() {
        String planId = plan();
        List<String> ids = new ArrayList<>();
        try {
            Http.Response r;
            while ((r = http.post("/api/v1/jobs", job(planId, 2000, ""))).status() == 202) {
                ids.add(r.json().path("id").asString());
                assertThat(ids.size()).isLessThanOrEqualTo(3);
            }
            assertProblem(r, 429);
            assertThat(r.header("Retry-After")).isNotNull();
        } finally {
            ids.forEach(id -> http.post("/api/v1/jobs/" + id + "/cancel", ""));
        }
    }

    @Test
    void mistakesAreProblems() {
        String planId = plan();
        assertProblem(http.post("/api/v1/jobs", job(planId, 1, "").replace("sst2", "imagenet")), 400);
        assertProblem(http.post("/api/v1/jobs", job(planId, 1, "").replace(GLUE.toString(), "/etc")), 400);
        assertProblem(http.post("/api/v1/jobs", job(planId, 1, "").replace(GLUE.toString(), GLUE + "/SST-2")), 422);
        assertProblem(
                http.post("/api/v1/jobs", job(planId, 1, "").replace(TOKENIZER.toString(), GLUE.toString())), 422);
        assertProblem(http.post("/api/v1/jobs", job("00000000-0000-0000-0000-000000000000", 1, "")), 422);
        assertProblem(http.post("/api/v1/jobs", job(planId, 6000, "")), 400);
        assertProblem(http.post("/api/v1/jobs", job(planId, 1, ", \"seqLen\": 500")), 422);
        assertProblem(http.post("/api/v1/jobs", job(planId, 0, "")), 400);
        assertProblem(http.post("/api/v1/jobs", "{\"task\": \"sst2\", \"dataDir\": \"x\"}"), 400);
        assertProblem(http.post("/api/v1/jobs", job(planId, 1, ", \"learningRate\": -1")), 400);
        assertProblem(http.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000"), 404);
        assertProblem(http.get("/api/v1/jobs/not-a-uuid"), 400);
        assertProblem(http.get("/api/v1/jobs?state=DANCING"), 400);
        assertProblem(
                http.send(
                        "GET",
                        "/api/v1/jobs/00000000-0000-0000-0000-000000000000/events",
                        "application/json",
                        HttpRequest.BodyPublishers.noBody()),
                404);
        assertProblem(http.post("/api/v1/jobs/00000000-0000-0000-0000-000000000000/cancel", ""), 404);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
