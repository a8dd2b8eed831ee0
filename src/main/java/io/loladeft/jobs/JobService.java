package io.loladeft.jobs;

import io.loladeft.common.Digests;
import io.loladeft.common.FieldViolation;
import io.loladeft.common.Limits;
import io.loladeft.common.PageView;
import io.loladeft.common.Problems;
import io.loladeft.finetune.glue.GlueTask;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/** The job use cases: submit (idempotently), read, list, cancel, events, and the fine-tuned blocks. */
@Service
public class JobService {

    private final JobStore store;
    private final JobSettingsBuilder specs;
    private final Limits limits;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final Path modelCache;

    private final Replanning replanning;

    JobService(
            JobStore store,
            JobSettingsBuilder specs,
            Limits limits,
            TransactionTemplate tx,
            JsonMapper json,
            JobsProperties props,
            Replanning replanning) {
        this.replanning = replanning;
        this.modelCache = props.worker().modelCache();
        this.store = store;
        this.specs = specs;
        this.limits = limits;
        this.tx = tx;
        this.json = json;
    }

    /** A submitted job and whether this call created it (false: an idempotent repeat). */
    public record Submitted(JobView job, boolean created) {}

    public Submitted submit(JobRequest request, String caller, String idempotencyKey) {
        if ((request.planId() == null) == (request.plan() == null)) {
            throw Problems.badRequest(
                    "give exactly one of planId and plan",
                    List.of(new FieldViolation("planId", "exactly one of planId and plan is required")));
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw Problems.badRequest(
                    "Idempotency-Key must be 1 to 255 characters",
                    List.of(new FieldViolation("Idempotency-Key", "must be 1 to 255 characters")));
        }
        GlueTask task = JobSettingsBuilder.task(request.task());
        String hash = Digests.sha256(json.writeValueAsString(request).getBytes(StandardCharsets.UTF_8));
        if (idempotencyKey != null) {
            Optional<Submitted> again = repeat(caller, idempotencyKey, hash);
            if (again.isPresent()) {
                return again.get();
            }
        }
        JobSettingsBuilder.Built built = specs.build(request, task);
        JobSettings spec = built.spec();
        Limits.require(spec.rounds() <= limits.maxJobRounds(), "rounds", "max-job-rounds", limits.maxJobRounds());
        RoundSchedule first;
        try {
            first = replanning.schedule(built.planId(), spec, 1, null, false);
        } catch (JobFailure e) {
            throw Problems.unprocessable(e.getMessage(), List.of(new FieldViolation("planId", e.getMessage())));
        }
        Instant now = Instant.now();
        JobStore.JobRow row = new JobStore.JobRow(
                UUID.randomUUID(),
                caller,
                idempotencyKey,
                hash,
                built.planId(),
                task.name(),
                spec,
                JobState.QUEUED,
                1,
                spec.rounds(),
                null,
                null,
                now,
                null,
                null,
                request.deadlineSeconds() == null ? null : now.plusSeconds(request.deadlineSeconds()),
                null);
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
                    ErrorResponseException e = Problems.problem(
                            HttpStatus.TOO_MANY_REQUESTS,
                            "Too many jobs",
                            "you have " + active + " queued or running jobs, the most allowed"
                                    + " (loladeft.limits.max-concurrent-jobs = " + limits.maxConcurrentJobs() + ")");
                    e.getHeaders().set("Retry-After", "30");
                    throw e;
                }
                store.insert(row, first);
                return new Submitted(view(store.find(row.id()).orElseThrow()), true);
            });
        } catch (DuplicateKeyException e) {
            // Another request with the same key won the insert race: answer as its repeat.
            return repeat(caller, idempotencyKey, hash).orElseThrow(() -> e);
        }
    }

    private Optional<Submitted> repeat(String caller, String key, String hash) {
        return store.findByKey(caller, key).map(existing -> {
            if (!existing.requestHash().equals(hash)) {
                throw Problems.unprocessable(
                        "Idempotency-Key '" + key + "' was used for a different request",
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
        List<JobView> items = store.page(state, planId, page, size).stream()
                .map(this::summary)
                .toList();
        return new PageView<>(items, page, size, total, (int) ((total + size - 1) / size));
    }

    public JobView cancel(UUID id, String caller) {
        JobStore.JobRow job = store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString()));
        if (!store.end(id, JobState.CANCELLED, "Cancelled", "cancelled by " + caller)) {
            throw Problems.conflict(
                    "job " + id + " is already " + store.find(id).orElse(job).state());
        }
        return get(id);
    }

    public byte[] blocks(UUID id) {
        JobStore.JobRow job = store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString()));
        return store.resultBlocks(id)
                .orElseThrow(() -> Problems.conflict(
                        "job " + id + " is " + job.state() + "; its blocks are there once it has SUCCEEDED"));
    }

    /**
     * The fine-tuned model as a Hugging Face archive, ready to write; 409 until the job has SUCCEEDED.
     */
    ModelExport.Archive model(UUID id) {
        JobStore.JobRow job = store.find(id).orElseThrow(() -> Problems.notFound("job", id.toString()));
        byte[] blocks = store.resultBlocks(id)
                .orElseThrow(() -> Problems.conflict(
                        "job " + id + " is " + job.state() + "; its model is there once it has SUCCEEDED"));
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

    private JobView summary(JobStore.JobRow job) {
        return view(job, List.of(), List.of());
    }

    JobView view(JobStore.JobRow job) {
        return view(job, store.devices(job), store.rounds(job.id()));
    }

    private static JobView view(
            JobStore.JobRow job, List<JobView.DeviceStatus> devices, List<JobView.RoundMetrics> rounds) {
        int merged = job.state() == JobState.SUCCEEDED ? job.rounds() : job.round() - 1;
        JobSettings s = job.spec();
        return new JobView(
                job.id(),
                job.planId(),
                job.task(),
                job.state(),
                conditions(job, rounds.isEmpty() ? null : rounds.get(rounds.size() - 1)),
                new JobView.Progress(merged, job.rounds(), 100.0 * merged / job.rounds()),
                settings(s),
                devices,
                rounds,
                job.result(),
                job.createdAt(),
                job.startedAt(),
                job.finishedAt(),
                job.deadlineAt());
    }

    private static JobView.Settings settings(JobSettings s) {
        JobSettings.Optimizer o = s.optimizerOrLegacy();
        return new JobView.Settings(
                s.rounds(),
                o.learningRate(),
                s.batchSize(),
                s.seqLen(),
                s.localIterations(),
                s.evalEvery(),
                s.seed(),
                o.kind().wireName(),
                o.weightDecay(),
                o.warmupFraction(),
                o.maxGradNorm(),
                s.pretrained(),
                s.execution().wireName(),
                s.replan().wireName(),
                s.channel());
    }

    /**
     * The job's conditions; with the last merged round, also {@code PlanDrift}: {@code True} when that round's
     * emulated latency differed from its prediction by more than {@code loladeft.jobs.drift-tolerance}.
     */
    static List<JobView.Condition> conditions(JobStore.JobRow job, JobView.RoundMetrics last) {
        List<JobView.Condition> c = new ArrayList<>();
        c.add(new JobView.Condition(
                "Accepted", "True", "Submitted", "the job and its first round are queued", job.createdAt()));
        switch (job.state()) {
            case QUEUED ->
                c.add(new JobView.Condition("Running", "False", "Queued", "waiting for a worker", job.createdAt()));
            case RUNNING ->
                c.add(new JobView.Condition(
                        "Running",
                        "True",
                        "RoundInProgress",
                        "round " + job.round() + " of " + job.rounds(),
                        job.startedAt()));
            default -> {
                c.add(new JobView.Condition("Running", "False", job.reason(), "the job has ended", job.finishedAt()));
                String type = Map.of(
                                JobState.SUCCEEDED,
                                "Complete",
                                JobState.FAILED,
                                "Failed",
                                JobState.CANCELLED,
                                "Cancelled")
                        .get(job.state());
                c.add(new JobView.Condition(type, "True", job.reason(), job.message(), job.finishedAt()));
            }
        }
        if (last != null && last.planDrift() != null) {
            String msg = String.format(
                    Locale.ROOT,
                    "round %d: emulated %.4g s, predicted %.4g s",
                    last.round(),
                    last.emulatedRoundLatencySeconds(),
                    last.predictedRoundLatencySeconds());
            // After Accepted and Running, before the final condition (which stays last).
            c.add(
                    2,
                    new JobView.Condition(
                            "PlanDrift",
                            last.planDrift() ? "True" : "False",
                            last.planDrift() ? "LatencyDrift" : "WithinTolerance",
                            msg,
                            last.completedAt()));
        }
        return c;
    }
}
