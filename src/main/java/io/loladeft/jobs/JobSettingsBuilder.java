package io.loladeft.jobs;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.PathRoots;
import io.loladeft.common.Problems;
import io.loladeft.finetune.blocks.BlockLayout;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.plans.PlanRequest;
import io.loladeft.plans.PlanService;
import io.loladeft.plans.PlanView;
import io.loladeft.plans.RoundPlanning;
import io.loladeft.registry.Architecture;
import io.loladeft.registry.BlockConfig;
import io.loladeft.registry.DeviceRegistry;
import io.loladeft.registry.ModelRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Turns a job request into what a worker runs: resolves the plan (stored, or planned and stored
 * first), the paths, the model and its limits, and fills in every default, so the stored
 * {@link JobSettings} stands on its own. Refusals are the request's fault: 400 or 422.
 */
@Component
class JobSettingsBuilder {

    /**
     * Defaults that fine-tune the pretrained preset well with LoRA blocks (docs/jobs.md, Evidence):
     * AdamW at a peak rate of 1e-3 after a 6% warm-up, weight decay 0.01, clipping at norm 1.
     */
    static final JobSettings.Optimizer.Kind DEFAULT_OPTIMIZER = JobSettings.Optimizer.Kind.ADAMW;

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

    static final int DEFAULT_ROUNDS = 1;
    static final int DEFAULT_LOCAL_ITERATIONS = 1;
    /** Evaluate on dev only after the last round. */
    static final int DEFAULT_EVAL_EVERY = 0;

    static final long DEFAULT_SEED = 0;
    /** Thermal noise at room temperature, as the planner assumes when a plan names none. */
    static final double DEFAULT_NOISE_PSD_DBM_PER_HZ = -174;

    private final PlanService plans;
    private final PathRoots paths;
    private final DeviceRegistry registry;

    JobSettingsBuilder(PlanService plans, PathRoots paths, DeviceRegistry registry) {
        this.plans = plans;
        this.paths = paths;
        this.registry = registry;
    }

    /**
     * The plan's devices that come from the registry: the ones that can leave, and whose speed rounds measure. A
     * plan's devices are all inline or all registered (one source per request), so a plan naming any registered
     * device is a registry plan, and its devices already deleted count as gone from the first round.
     */
    private List<String> registeredDevices(PlanRequest planned) {
        List<String> names =
                planned.devices().stream().map(PlanRequest.InlineDevice::name).toList();
        return registry.findByNames(names).isEmpty() ? List.of() : names;
    }

    /** Bits a parameter carries when its block moves: the parameter, and AdamW's two moments with it. */
    static double migrationBitsPerParam(JobSettings.Optimizer.Kind optimizer, Integer bitsPerParam) {
        int bits = bitsPerParam == null ? 32 : bitsPerParam;
        return optimizer == JobSettings.Optimizer.Kind.ADAMW ? bits + 2 * 32.0 : bits;
    }

    /** The resolved job and the plan it runs. */
    record Built(UUID planId, JobSettings spec) {}

    /** Checks the data, resolves the plan (an inline one is planned and stored here) and builds the spec. */
    Built build(JobRequest request, GlueTask task) {
        Path dataDir = paths.resolve("dataDir", request.dataDir());
        if (!Files.isRegularFile(dataDir.resolve(task.directory()).resolve(task.trainFile()))
                || !Files.isRegularFile(dataDir.resolve(task.directory()).resolve(task.devFile()))) {
            throw unprocessable(
                    "dataDir",
                    "has no " + task.directory() + "/" + task.trainFile() + " and " + task.directory() + "/"
                            + task.devFile() + " (the GLUE layout)");
        }
        PlanService.StoredPlan stored = plan(request);
        return new Built(stored.plan().id(), spec(request, task, dataDir, stored));
    }

    private PlanService.StoredPlan plan(JobRequest request) {
        if (request.plan() != null) {
            return plans.stored(plans.create(request.plan()).id());
        }
        return plans.findStored(request.planId())
                .orElseThrow(() -> unprocessable("planId", "no stored plan has this id"));
    }

    private JobSettings spec(JobRequest r, GlueTask task, Path dataDir, PlanService.StoredPlan stored) {
        PlanRequest planned = stored.request();
        PlanView plan = stored.plan();
        ModelRequest model = planned.model().withDefaults();
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
        int localIterations = first(null, t == null ? null : t.localIterations(), DEFAULT_LOCAL_ITERATIONS);
        JobSettings.Execution execution = r.execution() != null
                ? JobSettings.Execution.of(r.execution())
                : localIterations == 1 ? JobSettings.Execution.FUSED : JobSettings.Execution.PER_DEVICE;
        if (execution == JobSettings.Execution.FUSED && localIterations != 1) {
            // With several local iterations a device's later iterations see only its own updates; one pass
            // over all the blocks would let each see the others'.
            throw unprocessable(
                    "execution",
                    "fused needs one local iteration per round; the plan's training has " + localIterations);
        }
        List<JobSettings.DeviceRun> assigned = new ArrayList<>();
        for (PlanView.AssignmentView as : plan.assignments()) {
            PlanRequest.InlineDevice d = planned.devices().stream()
                    .filter(x -> x.name().equals(as.device()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "plan " + plan.id() + " assigns blocks to " + as.device() + ", which its request lacks"));
            assigned.add(new JobSettings.DeviceRun(
                    d.name(),
                    as.layers(),
                    as.bandwidthHz(),
                    d.computeFlops(),
                    d.txPowerDbm(),
                    d.channelGainDb(),
                    as.latencySeconds(),
                    0));
        }
        // The plan's block numbers are the trainer's (BlockLayout: layers 1..L, the head L+1); a plan from before the
        // head was a block of its own gets it with layer L, as that plan assumed.
        List<JobSettings.DeviceRun> devices = new ArrayList<>();
        TreeSet<Integer> covered = new TreeSet<>();
        int blocks = 0;
        for (JobSettings.DeviceRun d : JobSettings.withHead(assigned, layers)) {
            devices.add(new JobSettings.DeviceRun(
                    d.name(),
                    d.layers(),
                    d.bandwidthHz(),
                    d.computeFlops(),
                    d.txPowerDbm(),
                    d.channelGainDb(),
                    d.predictedLatencySeconds(),
                    stored.iterationFlops(batchSize, seqLen, d.layers())));
            covered.addAll(d.layers());
            blocks += d.layers().size();
        }
        int all = BlockLayout.blockCount(layers);
        if (blocks != all || covered.size() != all || covered.first() != 1 || covered.last() != all) {
            throw unprocessable(
                    "planId",
                    "the plan's blocks must be one per layer of the model (1.." + layers + ") and the head's (" + all
                            + "), as the engine trains them");
        }
        return new JobSettings(
                task.name(),
                dataDir.toString(),
                tokenizerDir == null ? null : tokenizerDir.toString(),
                weightsDir == null ? null : weightsDir.toString(),
                pretrained,
                new JobSettings.Shape(a.layers(), a.hidden(), a.heads(), a.intermediate(), a.vocab(), a.maxPositions()),
                // stored with 0 for the sizes a kind does not use, as jobs always were
                new BlockConfig(
                        b.kind(),
                        b.rank() == null ? 0 : b.rank(),
                        b.alpha() == null ? 0.0 : b.alpha(),
                        b.bottleneck() == null ? 0 : b.bottleneck()),
                first(r.rounds(), t == null ? null : t.rounds(), DEFAULT_ROUNDS),
                optimizer(r),
                batchSize,
                seqLen,
                localIterations,
                execution,
                stored.iterationFlops(batchSize, seqLen, covered),
                r.evalEvery() == null ? DEFAULT_EVAL_EVERY : r.evalEvery(),
                r.seed() == null ? DEFAULT_SEED : r.seed(),
                planned.noisePsdDbmPerHz() == null ? DEFAULT_NOISE_PSD_DBM_PER_HZ : planned.noisePsdDbmPerHz(),
                plan.roundLatencySeconds(),
                devices,
                RoundPlanning.channel(r.channel()),
                r.replan() == null ? JobSettings.Replan.STATIC : JobSettings.Replan.of(r.replan()),
                registeredDevices(planned),
                migrationBitsPerParam(optimizer(r).kind(), t == null ? null : t.bitsPerParam()));
    }

    private static JobSettings.Optimizer optimizer(JobRequest r) {
        JobSettings.Optimizer.Kind kind =
                r.optimizer() == null ? DEFAULT_OPTIMIZER : JobSettings.Optimizer.Kind.of(r.optimizer());
        double lr = r.learningRate() != null
                ? r.learningRate()
                : kind == JobSettings.Optimizer.Kind.SGD ? DEFAULT_SGD_LEARNING_RATE : DEFAULT_ADAMW_LEARNING_RATE;
        return new JobSettings.Optimizer(
                kind,
                lr,
                r.weightDecay() == null ? DEFAULT_WEIGHT_DECAY : r.weightDecay(),
                r.warmupFraction() == null ? DEFAULT_WARMUP_FRACTION : r.warmupFraction(),
                r.maxGradNorm() == null ? DEFAULT_MAX_GRAD_NORM : r.maxGradNorm());
    }

    private static int first(Integer given, Integer planned, int fallback) {
        return given != null ? given : planned != null ? planned : fallback;
    }

    static GlueTask task(String name) {
        try {
            return GlueTask.parse(name);
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest(
                    "unknown GLUE task",
                    List.of(new FieldViolation(
                            "task", "must be one of cola, sst2, mrpc, stsb, qqp, mnli, mnli-mm, qnli, rte, wnli")));
        }
    }

    private static ErrorResponseException unprocessable(String field, String message) {
        return Problems.unprocessable(field + " " + message, List.of(new FieldViolation(field, message)));
    }
}
