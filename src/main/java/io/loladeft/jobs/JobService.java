package io.loladeft.jobs;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.Limits;
import io.loladeft.common.PageView;
import io.loladeft.common.PathRoots;
import io.loladeft.common.Problems;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.plans.PlanRequest;
import io.loladeft.plans.PlanService;
import io.loladeft.plans.PlanView;
import io.loladeft.registry.Architecture;
import io.loladeft.registry.BlockConfig;
import io.loladeft.registry.ModelBody;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/** The job use cases: submit (idempotently), read, list, cancel, events, and the fine-tuned blocks. */
@Service
public class JobService {

    /**
     * Defaults that fine-tune the pretrained preset well with LoRA blocks (docs/jobs.md, Evidence):
     * AdamW at a peak rate of 1e-3 after a 6% warm-up, weight decay 0.01, clipping at norm 1.
     */
    static final String DEFAULT_OPTIMIZER = "adamw";
    static final double DEFAULT_ADAMW_LEARNING_RATE = 1e-3;
    /** SGD has no per-parameter scaling: the rate that worked for the small seeded model. */
    static final double DEFAULT_SGD_LEARNING_RATE = 0.05;
    static final double DEFAULT_WEIGHT_DECAY = 0.01;
    static final double DEFAULT_WARMUP_FRACTION = 0.06;
    static final double DEFAULT_MAX_GRAD_NORM = 1.0;
    static final int DEFAULT_BATCH_SIZE = 32;
    static final int DEFAULT_SEQ_LEN = 128;
    /** BERT's and RoBERTa's position tables hold 512 tokens (RoBERTa's two more are its offset). */
    private static final int PRETRAINED_MAX_SEQ_LEN = 512;

    private final JobStore store;
    private final PlanService plans;
    private final PathRoots paths;
    private final Limits limits;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final Path modelCache;

    JobService(JobStore store, PlanService plans, PathRoots paths, Limits limits, TransactionTemplate tx,
            JsonMapper json, WorkerProperties worker) {
        this.modelCache = worker.modelCache();
        this.store = store;
        this.plans = plans;
        this.paths = paths;
        this.limits = limits;
        this.tx = tx;
        this.json = json;
    }

    /** A submitted job and whether this call created it (false: an idempotent repeat). */
    public record Submitted(JobView job, boolean created) {}

    public Submitted submit(JobRequest request, String caller, String idempotencyKey) {
        if ((request.planId() == null) == (request.plan() == null)) {
            throw Problems.badRequest("give exactly one of planId and plan", List.of(
                    new FieldViolation("planId", "exactly one of planId and plan is required")));
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw Problems.badRequest("Idempotency-Key must be 1 to 255 characters", List.of(
                    new FieldViolation("Idempotency-Key", "must be 1 to 255 characters")));
        }
        GlueTask task = task(request.task());
        String hash = Worker.sha256(json.writeValueAsString(request).getBytes(StandardCharsets.UTF_8));
        if (idempotencyKey != null) {
            Optional<Submitted> again = repeat(caller, idempotencyKey, hash);
            if (again.isPresent()) {
                return again.get();
            }
        }
        Path dataDir = paths.resolve("dataDir", request.dataDir());
        if (!Files.isRegularFile(dataDir.resolve(task.directory()).resolve(task.trainFile()))
                || !Files.isRegularFile(dataDir.resolve(task.directory()).resolve(task.devFile()))) {
            throw unprocessable("dataDir", "has no " + task.directory() + "/" + task.trainFile() + " and "
                    + task.directory() + "/" + task.devFile() + " (the GLUE layout)");
        }
        PlanService.StoredPlan stored = plan(request);
        JobSpec spec = spec(request, task, dataDir, stored);
        Limits.require(spec.rounds() <= limits.maxJobRounds(), "rounds", "max-job-rounds", limits.maxJobRounds());
        Instant now = Instant.now();
        JobStore.JobRow row = new JobStore.JobRow(UUID.randomUUID(), caller, idempotencyKey, hash,
                stored.plan().id(), task.name(), spec, JobState.QUEUED, 1, spec.rounds(), null, null, now, null, null,
                request.deadlineSeconds() == null ? null : now.plusSeconds(request.deadlineSeconds()), null);
        try {
            return tx.execute(s -> {
                store.lockCaller(caller);
                if (idempotencyKey != null) {
                    Optional<Submitted> again = repeat(caller, idempotencyKey, hash);
                    if (again.isPresent()) {
                        return again.get();
                    }
                }
                int active = store.countActive(caller);
                if (active >= limits.maxConcurrentJobs()) {
                    ErrorResponseException e = Problems.problem(HttpStatus.TOO_MANY_REQUESTS, "Too many jobs",
                            "you have " + active + " queued or running jobs, the most allowed"
                                    + " (loladeft.limits.max-concurrent-jobs = " + limits.maxConcurrentJobs() + ")");
                    e.getHeaders().set("Retry-After", "30");
                    throw e;
                }
                store.insert(row);
                return new Submitted(view(store.find(row.id()).orElseThrow()), true);
            });
        } catch (org.springframework.dao.DuplicateKeyException e) {
            // Another request with the same key won the insert race: answer as its repeat.
            return repeat(caller, idempotencyKey, hash).orElseThrow(() -> e);
        }
    }

    private Optional<Submitted> repeat(String caller, String key, String hash) {
        return store.findByKey(caller, key).map(existing -> {
            if (!existing.requestHash().equals(hash)) {
                throw Problems.unprocessable("Idempotency-Key '" + key + "' was used for a different request",
                        List.of(new FieldViolation("Idempotency-Key", "already used with a different body")));
            }
            return new Submitted(view(existing), false);
        });
    }

    public JobView get(UUID id) {
        return view(store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString())));
    }

    public PageView<JobView> list(JobState state, UUID planId, int page, int size) {
        long total = store.count(state, planId);
        List<JobView> items = store.page(state, planId, page, size).stream().map(this::summary).toList();
        return new PageView<>(items, page, size, total, (int) ((total + size - 1) / size));
    }

    public JobView cancel(UUID id, String caller) {
        JobStore.JobRow job = store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString()));
        if (!store.end(id, JobState.CANCELLED, "Cancelled", "cancelled by " + caller)) {
            throw Problems.conflict("job " + id + " is already " + store.find(id).orElse(job).state());
        }
        return get(id);
    }

    public byte[] blocks(UUID id) {
        JobStore.JobRow job = store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString()));
        return store.resultBlocks(id).orElseThrow(() -> Problems.conflict("job " + id + " is " + job.state()
                + "; its blocks are there once it has SUCCEEDED"));
    }

    /**
     * The fine-tuned model as a Hugging Face archive, ready to write; 409 until the job has SUCCEEDED.
     */
    ModelExport.Archive model(UUID id) {
        JobStore.JobRow job = store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString()));
        byte[] blocks = store.resultBlocks(id).orElseThrow(() -> Problems.conflict("job " + id + " is "
                + job.state() + "; its model is there once it has SUCCEEDED"));
        return ModelExport.of(job.spec(), blocks, modelCache);
    }

    /** Events after {@code afterSeq}, and whether the job had reached a final state when they were read. */
    record Events(List<JobStore.Event> events, boolean finished) {}

    Events events(UUID id, long afterSeq) {
        JobStore.JobRow job = store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString()));
        // State first: events written before a final state are all visible once the state is.
        boolean finished = job.state().isFinal();
        return new Events(store.events(id, afterSeq, 500), finished);
    }

    void requireExists(UUID id) {
        store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString()));
    }

    private PlanService.StoredPlan plan(JobRequest request) {
        if (request.plan() != null) {
            return plans.stored(plans.create(request.plan()).id());
        }
        try {
            return plans.stored(request.planId());
        } catch (ErrorResponseException e) {
            if (e.getStatusCode().value() == 404) {
                throw unprocessable("planId", "no stored plan has this id");
            }
            throw e;
        }
    }

    private JobSpec spec(JobRequest r, GlueTask task, Path dataDir, PlanService.StoredPlan stored) {
        PlanRequest planned = stored.request();
        PlanView plan = stored.plan();
        ModelBody model = planned.model().withDefaults();
        Architecture a = model.architecture();
        BlockConfig b = model.block();
        PlanRequest.TrainingRequest t = planned.training();
        String pretrained = r.weightsDir() != null ? null : model.pretrained();
        String weights = r.weightsDir() != null ? r.weightsDir() : model.weightsDir();
        String tokenizer = r.tokenizerDir() != null ? r.tokenizerDir() : model.tokenizerDir();
        Path tokenizerDir = null;
        if (tokenizer == null && pretrained == null) {
            throw unprocessable("tokenizerDir", "is required: neither the job nor the plan's model names one");
        }
        if (tokenizer != null) {
            tokenizerDir = paths.resolve("tokenizerDir", tokenizer);
            if (!TextTokenizer.present(tokenizerDir)) {
                throw unprocessable("tokenizerDir", "has no tokenizer.json, nor vocab.json and merges.txt");
            }
        }
        Path weightsDir = paths.resolve("weightsDir", weights);
        int layers = a.layers();
        int maxSeq = pretrained != null ? PRETRAINED_MAX_SEQ_LEN : a.maxPositions() - 2;
        if (weightsDir != null) {
            EncoderConfig c;
            try {
                c = EncoderConfig.fromJson(weightsDir.resolve("config.json"), task.numLabels());
            } catch (RuntimeException e) {
                throw unprocessable("weightsDir", "has no readable Hugging Face config.json");
            }
            if (!Files.isRegularFile(weightsDir.resolve("model.safetensors"))) {
                throw unprocessable("weightsDir", "has no model.safetensors");
            }
            if (c.numLayers() != layers) {
                throw unprocessable("weightsDir", "holds " + c.numLayers() + " layers, the plan " + layers);
            }
            maxSeq = c.maxSequenceLength();
        }
        int seqLen = first(r.seqLen(), t == null ? null : t.seqLen(), DEFAULT_SEQ_LEN);
        if (seqLen > maxSeq) {
            throw unprocessable("seqLen", "exceeds the model's longest sequence, " + maxSeq);
        }
        int batchSize = first(r.batchSize(), t == null ? null : t.batchSize(), DEFAULT_BATCH_SIZE);
        int localIterations = first(null, t == null ? null : t.localIterations(), 1);
        String execution = r.execution() != null ? r.execution() : localIterations == 1 ? JobSpec.FUSED : JobSpec.PER_DEVICE;
        if (execution.equals(JobSpec.FUSED) && localIterations != 1) {
            // With several local iterations a device's later iterations see only its own updates; one pass
            // over all the blocks would let each see the others'.
            throw unprocessable("execution", "fused needs one local iteration per round; the plan's training has "
                    + localIterations);
        }
        List<JobSpec.DeviceRun> devices = new ArrayList<>();
        TreeSet<Integer> covered = new TreeSet<>();
        int blocks = 0;
        for (PlanView.AssignmentView as : plan.assignments()) {
            PlanRequest.InlineDevice d = planned.devices().stream().filter(x -> x.name().equals(as.device()))
                    .findFirst().orElseThrow(() -> new IllegalStateException("plan " + plan.id()
                            + " assigns blocks to " + as.device() + ", which its request lacks"));
            devices.add(new JobSpec.DeviceRun(d.name(), as.layers(), as.bandwidthHz(), d.computeFlops(), d.txPowerDbm(),
                    d.channelGainDb(), as.latencySeconds(), stored.iterationFlops(batchSize, seqLen, as.layers())));
            covered.addAll(as.layers());
            blocks += as.layers().size();
        }
        if (blocks != layers || covered.size() != layers || covered.first() != 1 || covered.last() != layers) {
            throw unprocessable("planId", "the plan's blocks must be one per layer of the model (1.." + layers
                    + "), as the engine trains one block per layer");
        }
        return new JobSpec(task.name(), dataDir.toString(), tokenizerDir == null ? null : tokenizerDir.toString(),
                weightsDir == null ? null : weightsDir.toString(), pretrained,
                new JobSpec.Shape(a.layers(), a.hidden(), a.heads(), a.intermediate(), a.vocab(), a.maxPositions()),
                new JobSpec.Block(kind(b.kind()), b.rank() == null ? 0 : b.rank(), b.alpha() == null ? 0 : b.alpha(),
                        b.bottleneck() == null ? 0 : b.bottleneck()),
                first(r.rounds(), t == null ? null : t.rounds(), 1), optimizer(r), batchSize, seqLen,
                localIterations, execution, stored.iterationFlops(batchSize, seqLen, covered),
                r.evalEvery() == null ? 0 : r.evalEvery(), r.seed() == null ? 0 : r.seed(),
                planned.noisePsdDbmPerHz() == null ? -174 : planned.noisePsdDbmPerHz(),
                plan.roundLatencySeconds(), devices);
    }

    private static JobSpec.Optimizer optimizer(JobRequest r) {
        String kind = r.optimizer() == null ? DEFAULT_OPTIMIZER : r.optimizer();
        double lr = r.learningRate() != null ? r.learningRate()
                : kind.equals("sgd") ? DEFAULT_SGD_LEARNING_RATE : DEFAULT_ADAMW_LEARNING_RATE;
        return new JobSpec.Optimizer(kind, lr, r.weightDecay() == null ? DEFAULT_WEIGHT_DECAY : r.weightDecay(),
                r.warmupFraction() == null ? DEFAULT_WARMUP_FRACTION : r.warmupFraction(),
                r.maxGradNorm() == null ? DEFAULT_MAX_GRAD_NORM : r.maxGradNorm());
    }

    private static String kind(BlockConfig.Kind k) {
        return switch (k) {
            case LORA -> "lora";
            case ADAPTER -> "adapter";
            case LAYER -> "layer";
        };
    }

    private static int first(Integer given, Integer planned, int fallback) {
        return given != null ? given : planned != null ? planned : fallback;
    }

    private static GlueTask task(String name) {
        try {
            return GlueTask.parse(name);
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest("unknown GLUE task", List.of(new FieldViolation("task",
                    "must be one of cola, sst2, mrpc, stsb, qqp, mnli, mnli-mm, qnli, rte, wnli")));
        }
    }

    private static ErrorResponseException unprocessable(String field, String message) {
        return Problems.unprocessable(field + " " + message, List.of(new FieldViolation(field, message)));
    }

    private JobView summary(JobStore.JobRow job) {
        return view(job, List.of(), List.of());
    }

    JobView view(JobStore.JobRow job) {
        return view(job, store.devices(job), store.rounds(job.id()));
    }

    private static JobView view(JobStore.JobRow job, List<JobView.DeviceStatus> devices,
            List<JobView.RoundMetrics> rounds) {
        int merged = job.state() == JobState.SUCCEEDED ? job.rounds() : job.round() - 1;
        JobSpec s = job.spec();
        return new JobView(job.id(), job.planId(), job.task(), job.state(), conditions(job),
                new JobView.Progress(merged, job.rounds(), 100.0 * merged / job.rounds()),
                settings(s),
                devices, rounds, job.result(), job.createdAt(), job.startedAt(), job.finishedAt(), job.deadlineAt());
    }

    private static JobView.Settings settings(JobSpec s) {
        JobSpec.Optimizer o = s.optimizerOrLegacy();
        return new JobView.Settings(s.rounds(), o.learningRate(), s.batchSize(), s.seqLen(), s.localIterations(),
                s.evalEvery(), s.seed(), o.kind(), o.weightDecay(), o.warmupFraction(), o.maxGradNorm(),
                s.pretrained(), s.execution() == null ? JobSpec.PER_DEVICE : s.execution());
    }

    static List<JobView.Condition> conditions(JobStore.JobRow job) {
        List<JobView.Condition> c = new ArrayList<>();
        c.add(new JobView.Condition("Accepted", "True", "Submitted", "the job and its first round are queued",
                job.createdAt()));
        switch (job.state()) {
            case QUEUED -> c.add(new JobView.Condition("Running", "False", "Queued", "waiting for a worker",
                    job.createdAt()));
            case RUNNING -> c.add(new JobView.Condition("Running", "True", "RoundInProgress",
                    "round " + job.round() + " of " + job.rounds(), job.startedAt()));
            default -> {
                c.add(new JobView.Condition("Running", "False", job.reason(), "the job has ended",
                        job.finishedAt()));
                String type = Map.of(JobState.SUCCEEDED, "Complete", JobState.FAILED, "Failed",
                        JobState.CANCELLED, "Cancelled").get(job.state());
                c.add(new JobView.Condition(type, "True", job.reason(), job.message(), job.finishedAt()));
            }
        }
        return c;
    }
}
