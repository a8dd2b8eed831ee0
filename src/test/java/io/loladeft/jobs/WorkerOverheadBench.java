package io.loladeft.jobs;

import io.loladeft.LolaDeftApplication;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.train.RoundResult;
import io.loladeft.finetune.train.RoundRunner;
import io.loladeft.finetune.train.TorchThread;
import io.loladeft.support.Http;
import io.loladeft.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The job system's overhead: seconds per round of a job run through the API, the PostgreSQL queue
 * and a worker, against the engine's own loop ({@link RoundRunner}) on the same work: the same
 * model, blocks, assignment, mini-batches and learning rate, in the same JVM on the same one
 * intra-op thread. Phases alternate (job, engine, job, engine, ...) so both see the same machine;
 * round 1 (the worker builds its backbone) and a job's last round (it evaluates on dev) are left
 * out. Prints the per-phase medians and the ratio of the overall medians, then where the job
 * system's worker spent each job's rounds ({@link JobMetrics.Phase}, from its Prometheus timers).
 *
 * <pre>src/bench/jobs.sh overhead   # ROUNDS=30 REPS=3 LOCAL_ITERATIONS="1 5" by default</pre>
 *
 * Arguments: GLUE directory, tokenizer directory, rounds per phase, repetitions, local iterations per round,
 * and optionally the execution: {@code per-device} (default; the engine loop trains each device on its
 * own) or {@code fused} (one item per round; the engine loop is one device training every block, the
 * same one pass), and the model: {@code small} (default: a seeded 4-layer RoBERTa, h=128, whole-layer blocks,
 * batch 32) or {@code minilm} (the pretrained all-MiniLM-L6-v2 the service ships, LoRA r=8 on its six layers,
 * batch 8, its own tokenizer), and whether the worker overlaps storing with training ({@code true}, the default, or
 * {@code false}: {@code loladeft.jobs.worker.overlap}), and how often the worker stores a round's blocks
 * ({@code loladeft.jobs.worker.checkpoint-every}, default 10).
 */
public final class WorkerOverheadBench {

    private WorkerOverheadBench() {}

    public static void main(String[] args) throws Exception {
        Path glue = Path.of(args[0]).toAbsolutePath().normalize();
        Path tokenizer = Path.of(args[1]).toAbsolutePath().normalize();
        int rounds = Integer.parseInt(args[2]);
        int reps = Integer.parseInt(args[3]);
        int localIterations = Integer.parseInt(args[4]);
        String execution = args.length > 5 ? args[5] : JobSettings.Execution.PER_DEVICE.wireName();
        boolean minilm = args.length > 6 && args[6].equals("minilm");
        // The worker's store thread (loladeft.jobs.worker.overlap), on unless "false".
        String overlap = args.length > 7 ? args[7] : "true";
        String checkpointEvery = args.length > 8 ? args[8] : "10";
        TestDatabase.Connection db = TestDatabase.get();
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(LolaDeftApplication.class)
                .run(
                        "--loladeft.role=both",
                        "--server.port=0",
                        "--management.server.port=0",
                        "--loladeft.auth.enabled=false",
                        "--spring.datasource.url=" + db.url(),
                        "--spring.datasource.username=" + db.username(),
                        "--spring.datasource.password=" + db.password(),
                        "--loladeft.files.roots=" + glue + "," + tokenizer,
                        "--loladeft.jobs.worker.host-flops=1e11",
                        "--loladeft.jobs.worker.poll=100ms",
                        "--loladeft.jobs.worker.overlap=" + overlap,
                        "--loladeft.jobs.worker.checkpoint-every=" + checkpointEvery,
                        "--logging.level.root=WARN")) {
            Http http =
                    new Http(((WebServerApplicationContext) app).getWebServer().getPort());
            JobStore store = app.getBean(JobStore.class);
            String planId = plan(http, localIterations, minilm);
            System.out.printf(
                    Locale.ROOT,
                    "%d rounds per phase, %d local iteration(s) per round, %s, %s, overlap %s, checkpoint every %s,"
                            + " %d repetitions%n%n",
                    rounds,
                    localIterations,
                    execution,
                    minilm ? "pretrained MiniLM LoRA" : "4-layer small",
                    overlap,
                    checkpointEvery,
                    reps);
            List<Double> jobAll = new ArrayList<>();
            List<Double> engineAll = new ArrayList<>();
            MeterRegistry meters = app.getBean(MeterRegistry.class);
            List<String> phaseRows = new ArrayList<>();
            System.out.println(
                    "| phase | rounds timed | median s/round | median training s/round (sum over devices) |");
            System.out.println("|---|---|---|---|");
            for (int rep = 1; rep <= reps; rep++) {
                Map<JobMetrics.Phase, Double> before = phaseMillis(meters);
                String job = submit(http, planId, glue, minilm ? null : tokenizer, rounds, rep, execution);
                JsonNode done = await(http, job);
                phaseRows.add(phaseRow("job system, run " + rep, before, phaseMillis(meters), rounds));
                List<Double> jobRounds = new ArrayList<>();
                List<Double> jobCompute = new ArrayList<>();
                done.path("rounds").forEach(r -> {
                    int n = r.path("round").asInt();
                    if (n > 1 && n < rounds) {
                        jobRounds.add(r.path("wallSeconds").asDouble());
                        double c = 0;
                        for (JsonNode d : r.path("devices")) {
                            c += d.path("computeSeconds").asDouble();
                        }
                        jobCompute.add(c);
                    }
                });
                List<Double> engineCompute = new ArrayList<>();
                List<Double> engineRounds = engineLoop(
                        store.find(UUID.fromString(job)).orElseThrow().spec(), engineCompute);
                print("job system, run " + rep, jobRounds, jobCompute);
                print("engine loop, run " + rep, engineRounds, engineCompute);
                jobAll.addAll(jobRounds);
                engineAll.addAll(engineRounds);
            }
            double ratio = median(jobAll) / median(engineAll);
            System.out.printf(
                    Locale.ROOT,
                    "%nmedian s/round: job system %.4f, engine loop %.4f; job / engine = %.3f"
                            + " (overhead %+.1f%%)%n",
                    median(jobAll),
                    median(engineAll),
                    ratio,
                    (ratio - 1) * 100);
            System.out.println("\n| worker, ms per round (all rounds, means) |"
                    + Arrays.stream(JobMetrics.Phase.values())
                            .map(p -> " " + p.name().toLowerCase(Locale.ROOT) + " |")
                            .collect(Collectors.joining()));
            System.out.println("|---|" + "---|".repeat(JobMetrics.Phase.values().length));
            phaseRows.forEach(System.out::println);
        }
    }

    /** The same rounds as the job, through RoundRunner: each device trains its blocks, then the merge. */
    static List<Double> engineLoop(JobSettings spec, List<Double> compute) {
        TorchThread.prepare(1);
        List<List<Integer>> assignment = spec.fused()
                ? List.of(spec.allLayers())
                : spec.devices().stream().map(JobSettings.DeviceRun::layers).toList();
        List<Double> out = new ArrayList<>();
        Path modelCache = Path.of("data/models");
        try (Backbones cache = new Backbones(modelCache);
                RoundRunner runner = new RoundRunner(
                        Backbones.source(spec, Backbones.pretrainedDir(spec, modelCache)),
                        Backbones.blockSpec(spec.block()),
                        Backbones.optimizer(spec),
                        assignment)) {
            Backbones.Data data = cache.data(spec);
            for (int round = 1; round < spec.rounds(); round++) {
                List<Batch> batches =
                        RoundBatches.of(data.train(), spec.batchSize(), spec.localIterations(), spec.seed(), round);
                long t0 = System.nanoTime();
                RoundRunner.RoundReport report = runner.round(batches);
                double s = (System.nanoTime() - t0) / 1e9;
                if (round > 1) {
                    out.add(s);
                    compute.add(report.devices().stream()
                            .mapToDouble(RoundResult::computeSeconds)
                            .sum());
                }
            }
        }
        return out;
    }

    /**
     * Four devices of different speeds and channels, up to two blocks each: a 4-layer RoBERTa (h=128) with its layer
     * blocks and head, or the pretrained MiniLM with LoRA.
     */
    static String plan(Http http, int localIterations, boolean minilm) {
        String model = minilm ? """
                  {"architecture": {"layers": 6, "hidden": 384, "heads": 12, "intermediate": 1536, "vocab": 30522, "maxPositions": 512},
                   "pretrained": "all-minilm-l6-v2", "block": {"kind": "lora", "rank": 8, "alpha": 16}}""" : """
                  {"architecture": {"layers": 4, "hidden": 128, "heads": 4, "intermediate": 512, "vocab": 50265, "maxPositions": 130},
                   "block": {"kind": "layer"}}""";
        Http.Response r = http.post("/api/v1/plans", """
                {"bandwidthHz": 2e7, "maxBlocksPerDevice": 2,
                 "devices": [
                   {"name": "edge-a", "computeFlops": 4e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90},
                   {"name": "edge-b", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -95},
                   {"name": "edge-c", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -95},
                   {"name": "edge-d", "computeFlops": 5e11, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -100}],
                 "model": %s,
                 "training": {"batchSize": %d, "seqLen": 64, "localIterations": %d}}""".formatted(model, minilm ? 8 : 32, localIterations));
        if (r.status() != 201) {
            throw new IllegalStateException("plan: " + r.status() + " " + r.body());
        }
        return r.json().path("id").asString();
    }

    /** Per-device or fused items; the engine loop it is compared with does the same. */
    static String submit(Http http, String planId, Path glue, Path tokenizer, int rounds, int rep, String execution) {
        Http.Response r = http.post("/api/v1/jobs", """
                {"planId": "%s", "task": "sst2", "dataDir": "%s",%s "rounds": %d,
                 "optimizer": "sgd", "learningRate": 0.05, "evalEvery": 0, "seed": %d, "execution": "%s"}""".formatted(
                        planId,
                        glue,
                        tokenizer == null ? "" : " \"tokenizerDir\": \"" + tokenizer + "\",",
                        rounds,
                        rep,
                        execution));
        if (r.status() != 202) {
            throw new IllegalStateException("job: " + r.status() + " " + r.body());
        }
        return r.json().path("id").asString();
    }

    static JsonNode await(Http http, String job) throws InterruptedException {
        while (true) {
            JsonNode j = http.get("/api/v1/jobs/" + job).json();
            String state = j.path("state").asString();
            if (state.equals("SUCCEEDED")) {
                return j;
            }
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                throw new IllegalStateException("job " + job + " ended " + state + ": " + j);
            }
            Thread.sleep(500);
        }
    }

    /** Each worker phase's total so far, in milliseconds (the worker runs in this JVM). */
    static Map<JobMetrics.Phase, Double> phaseMillis(MeterRegistry meters) {
        Map<JobMetrics.Phase, Double> out = new EnumMap<>(JobMetrics.Phase.class);
        for (JobMetrics.Phase p : JobMetrics.Phase.values()) {
            Timer t = meters.get("loladeft.jobs.worker.phase")
                    .tag("phase", p.name().toLowerCase(Locale.ROOT))
                    .timer();
            out.put(p, t.totalTime(TimeUnit.MILLISECONDS));
        }
        return out;
    }

    static String phaseRow(
            String label, Map<JobMetrics.Phase, Double> before, Map<JobMetrics.Phase, Double> after, int rounds) {
        StringBuilder row = new StringBuilder("| " + label + " |");
        for (JobMetrics.Phase p : JobMetrics.Phase.values()) {
            row.append(String.format(Locale.ROOT, " %.1f |", (after.get(p) - before.get(p)) / rounds));
        }
        return row.toString();
    }

    static void print(String phase, List<Double> seconds, List<Double> compute) {
        System.out.printf(
                Locale.ROOT, "| %s | %d | %.4f | %.4f |%n", phase, seconds.size(), median(seconds), median(compute));
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
