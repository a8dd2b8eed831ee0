package io.loladeft.jobs;

import ai.djl.engine.Engine;
import io.loladeft.common.Digests;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import io.loladeft.finetune.profile.HostCalibration;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.Evaluator;
import io.loladeft.finetune.train.TorchThread;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;

/**
 * The worker loop ({@code loladeft.role} {@code worker} or {@code both}): claim an item, train the
 * device's blocks on the round's batches, store the result, and merge the round when it was the
 * last item. One thread; scale by running more worker processes.
 */
@Component
@ConditionalOnExpression("'${loladeft.role:both}' != 'api'")
class Worker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /**
     * DJL's random seed (dropout) is process-wide: training and its seeding happen under this lock,
     * so an item's dropout masks depend only on (seed, round), never on other threads.
     */
    private static final Object ENGINE = new Object();

    private final WorkQueue queue;
    private final JobStore store;
    private final JobMetrics metrics;
    private final JobsProperties.Worker props;
    private final double driftTolerance;
    private final String name;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "job-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<WorkQueue.Item> inHand = new AtomicReference<>();
    private Thread thread;
    private Backbones backbones;
    /**
     * The input of the round this worker last worked on, with its own items' blocks: one worker often
     * runs several items of a round, then merges it and goes on with the next round from the merged
     * state, reading and decoding nothing.
     */
    private Hand hand;

    private double hostFlops;

    private final Replanning replanning;

    Worker(WorkQueue queue, JobStore store, JobMetrics metrics, JobsProperties jobsProps, Replanning replanning) {
        this.replanning = replanning;
        this.queue = queue;
        this.store = store;
        this.metrics = metrics;
        this.props = jobsProps.worker();
        this.driftTolerance = jobsProps.driftTolerance();
        this.name = props.name().isBlank() ? defaultName() : props.name();
    }

    @Override
    public void start() {
        if (running.compareAndSet(false, true)) {
            thread = new Thread(this::loop, "job-worker");
            thread.start();
        }
    }

    /**
     * Graceful stop: claim nothing more, let the item in hand finish within the shutdown grace
     * (heartbeats keep its lease meanwhile), and if it cannot, hand it back so another worker redoes
     * it now rather than after the lease; the departing worker's late result is then fenced off.
     */
    @Override
    public void stop() {
        running.set(false);
        if (thread != null) {
            try {
                thread.join(props.shutdownGrace().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            WorkQueue.Item left = inHand.get();
            if (thread.isAlive() && left != null) {
                try {
                    if (queue.release(left)) {
                        log.info(
                                "Job worker {} stopping: handed item {} (job {}, round {}, device {}) back to the queue",
                                name,
                                left.id(),
                                left.jobId(),
                                left.round(),
                                left.device());
                    }
                } catch (RuntimeException e) {
                    log.warn(
                            "Job worker {} could not hand item {} back; its lease will expire: {}",
                            name,
                            left.id(),
                            e.toString());
                }
            }
        }
        heartbeats.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    private void loop() {
        log.info("Job worker {} started (lease {}, poll {})", name, props.lease(), props.poll());
        // Both settings are per thread, so this runs first thing on the worker thread, whichever
        // thread loaded the engine. One intra-op thread by default: see JobsProperties.Worker.torchThreads.
        TorchThread.prepare(props.torchThreads());
        try (Backbones cache = new Backbones(props.modelCache())) {
            backbones = cache;
            while (running.get()) {
                try {
                    if (!runOne()) {
                        Thread.sleep(props.poll().toMillis());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    // The database may be briefly away; the loop must outlive that.
                    log.warn("Job worker {}: {}", name, e.toString());
                    sleepQuietly();
                }
            }
        } finally {
            log.info("Job worker {} stopped", name);
        }
    }

    /** Claims and runs one item; false when there was nothing to do. */
    private boolean runOne() {
        long t0 = System.nanoTime();
        Optional<WorkQueue.Item> claimed = queue.claim(name, props.lease());
        if (claimed.isEmpty()) {
            return false;
        }
        metrics.phase(JobMetrics.Phase.CLAIM, System.nanoTime() - t0);
        WorkQueue.Item item = claimed.get();
        if (item.attempts() > props.maxAttempts()) {
            String whose = item.device().equals(WorkQueue.ALL_DEVICES)
                    ? "the fused item"
                    : "device " + item.device() + "'s item";
            store.end(
                    item.jobId(),
                    JobState.FAILED,
                    "TooManyAttempts",
                    whose + " of round " + item.round() + " was claimed " + item.attempts()
                            + " times without completing");
            return true;
        }
        AtomicBoolean held = new AtomicBoolean(true);
        long every = Math.max(1, props.lease().toMillis() / 3);
        ScheduledFuture<?> beat = heartbeats.scheduleAtFixedRate(
                () -> {
                    try {
                        if (!queue.heartbeat(item, props.lease())) {
                            held.set(false);
                        }
                    } catch (RuntimeException e) {
                        log.warn("heartbeat of item {} failed: {}", item.id(), e.toString());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        inHand.set(item);
        try {
            run(item, held);
        } catch (JobFailure e) {
            log.warn("Job {} cannot go on after round {}: {}", item.jobId(), item.round(), e.getMessage());
            store.end(item.jobId(), JobState.FAILED, e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Job {} failed in round {} on device {}", item.jobId(), item.round(), item.device(), e);
            store.end(item.jobId(), JobState.FAILED, "TrainingError", message(e));
        } finally {
            inHand.set(null);
            beat.cancel(false);
        }
        return true;
    }

    private void run(WorkQueue.Item item, AtomicBoolean claimed) {
        long t0 = System.nanoTime();
        JobStore.JobRow job = store.find(item.jobId()).orElseThrow();
        long read = System.nanoTime() - t0;
        JobSettings spec = job.spec();
        // Built once per model and data set, then cached: not a phase.
        Backbones.Data data = backbones.data(spec);
        Backbones.Backbone backbone = backbones.backbone(spec);
        t0 = System.nanoTime();
        Optional<Hand> input = roundInput(job.id(), item.round(), spec, backbone);
        metrics.phase(JobMetrics.Phase.READ, read + System.nanoTime() - t0);
        if (input.isEmpty()) {
            // Only a merged round's input is gone, and a round is merged only when all its items are
            // done: someone else did this one while this worker held an expired claim.
            log.info(
                    "Item {} of job {}: round {} was merged without it; dropping it",
                    item.id(),
                    job.id(),
                    item.round());
            return;
        }
        Hand in = input.get();
        var batches =
                RoundBatches.of(data.train(), spec.batchSize(), spec.localIterations(), spec.seed(), item.round());
        DeviceTrainer.Trained trained;
        t0 = System.nanoTime();
        synchronized (ENGINE) {
            Engine.getInstance().setRandomSeed(RoundBatches.dropoutSeed(spec.seed(), item.round()));
            backbone.held().configure(Backbones.optimizer(spec));
            backbone.trainer().setLearningRate(Backbones.schedule(spec).at(item.round()));
            backbone.held().hold(in.state());
            trained = backbone.held().train(item.layers(), batches);
        }
        byte[] updated = Safetensors.write(trained.blocks());
        metrics.phase(JobMetrics.Phase.TRAIN, System.nanoTime() - t0);
        if (!claimed.get()) {
            log.info("Item {} of job {} was withdrawn while training; dropping its result", item.id(), job.id());
            return;
        }
        Map<String, Long> deviceUploads = null;
        if (spec.fused()) {
            deviceUploads = new TreeMap<>();
            JobSettings round = JobStore.roundSpec(
                    spec, store.schedule(job.id(), item.round()).orElse(null));
            for (JobSettings.DeviceRun d : round.devices()) {
                deviceUploads.put(d.name(), backbone.trainer().uploadBytes(d.layers()));
            }
        }
        DeviceTrainer.Measurement m = trained.measurement();
        ItemResult result = new ItemResult(
                m.computeSeconds(), hostFlops(), trained.uploadBytes(), m.peakRssBytes(), m.losses(), deviceUploads);
        t0 = System.nanoTime();
        // Kept in hand before completing: if this completion merges the round, the merge uses it.
        in.produced().put(item.device(), trained.blocks());
        WorkQueue.Completed c = queue.complete(item, updated, store.write(result), this::merge);
        if (c.completion() == WorkQueue.Completion.LOST) {
            in.produced().remove(item.device());
        }
        if (c.completion() == WorkQueue.Completion.MERGED) {
            WorkQueue.Merged merged = c.merged();
            hand = item.round() < job.rounds()
                    ? new Hand(job.id(), item.round() + 1, merged.state(), new HashMap<>())
                    : null;
            metrics.phase(JobMetrics.Phase.MERGE, System.nanoTime() - t0 - merged.evaluationNanos());
            if (merged.evaluationNanos() > 0) {
                metrics.phase(JobMetrics.Phase.EVALUATE, merged.evaluationNanos());
            }
        } else {
            metrics.phase(JobMetrics.Phase.STORE, System.nanoTime() - t0);
        }
        log.debug(
                "Item {} (job {}, round {}, device {}): {}",
                item.id(),
                job.id(),
                item.round(),
                item.device(),
                c.completion());
    }

    /**
     * A round's input in hand, decoded, and the blocks this worker's completed items of the round
     * trained, by device: the merge and the next round's input take them from here instead of
     * reading them back.
     */
    private record Hand(
            UUID job, int round, Map<String, HostTensor> state, Map<String, Map<String, HostTensor>> produced) {}

    /**
     * The state a round starts from: round 1 from the model's seeded blocks; a later round is the union
     * of the previous round's items' blocks: the merged state in hand when this worker merged that
     * round, else built from the previous input in hand and the items' blocks it lacks, else (a worker
     * that just joined, or that redoes an item) from the stored items alone. Empty when the round is
     * already merged (the merge drops its input).
     */
    private Optional<Hand> roundInput(UUID job, int round, JobSettings spec, Backbones.Backbone backbone) {
        Hand h = hand;
        if (h != null && h.job().equals(job) && h.round() == round) {
            return Optional.of(h);
        }
        Map<String, HostTensor> initial = backbone.initialBlocks(Backbones.optimizer(spec));
        Optional<Map<String, HostTensor>> state;
        if (round == 1) {
            state = Optional.of(initial);
        } else if (h != null && h.job().equals(job) && h.round() == round - 1) {
            state = following(h, spec);
        } else {
            state = store.roundInput(job, round)
                    .map(parts -> RoundMerge.next(
                            initial,
                            parts.stream()
                                    .map(p -> Safetensors.read(p, "round " + round + "'s input"))
                                    .toList()));
        }
        Optional<Hand> in = state.map(s -> new Hand(job, round, s, new HashMap<>()));
        in.ifPresent(x -> hand = x);
        return in;
    }

    /** The round after {@code h}'s, merged elsewhere: {@code h}'s state with its items' blocks; empty if dropped. */
    private Optional<Map<String, HostTensor>> following(Hand h, JobSettings spec) {
        // The devices of h's round: its schedule's, when re-planning gave it its own.
        JobSettings round =
                JobStore.roundSpec(spec, store.schedule(h.job(), h.round()).orElse(null));
        List<String> devices = round.fused()
                ? List.of(WorkQueue.ALL_DEVICES)
                : round.devices().stream().map(JobSettings.DeviceRun::name).toList();
        Map<String, Map<String, HostTensor>> blocks = itemBlocks(h, devices);
        if (blocks.size() < devices.size()) {
            return Optional.empty();
        }
        return Optional.of(
                RoundMerge.next(h.state(), devices.stream().map(blocks::get).toList()));
    }

    /**
     * The blocks that these devices' items of {@code h}'s round trained, by device: this worker's own
     * from the hand, the others' read and decoded; a device whose blocks are in neither (the round was
     * merged and its items dropped) is left out.
     */
    private Map<String, Map<String, HostTensor>> itemBlocks(Hand h, List<String> devices) {
        Map<String, byte[]> read = store.itemBlocks(
                h.job(),
                h.round(),
                devices.stream().filter(d -> !h.produced().containsKey(d)).toList());
        Map<String, Map<String, HostTensor>> out = new HashMap<>();
        for (String d : devices) {
            Map<String, HostTensor> own = h.produced().get(d);
            byte[] stored = read.get(d);
            if (own != null || stored != null) {
                out.put(
                        d,
                        own != null
                                ? own
                                : Safetensors.read(stored, "device " + d + "'s blocks of round " + h.round()));
            }
        }
        return out;
    }

    /**
     * Merges a complete round inside the completing transaction ({@link WorkQueue.Merger}): the
     * round's input is in hand (this worker trained the round's last item on it), and so are the
     * blocks of its own items; the others' are read. The merge itself is {@link RoundMerge}; then the
     * dev evaluation when due, and the round's metrics. Only the last round's state is serialised.
     */
    private WorkQueue.Merged merge(JobStore.JobRow job, List<WorkQueue.Done> done) {
        JobSettings spec = job.spec();
        int round = job.round();
        Hand h = hand;
        if (h == null || !h.job().equals(job.id()) || h.round() != round) {
            throw new IllegalStateException("merging round " + round + " of job " + job.id() + " without its input");
        }
        Backbones.Backbone backbone = backbones.backbone(spec);
        Map<String, Map<String, HostTensor>> blocks =
                itemBlocks(h, done.stream().map(WorkQueue.Done::device).toList());
        List<RoundMerge.Item> items = new ArrayList<>();
        for (WorkQueue.Done d : done) {
            Map<String, HostTensor> trained = blocks.get(d.device());
            if (trained == null) {
                throw new IllegalStateException("merging round " + round + " of job " + job.id() + ": device "
                        + d.device() + "'s item is done but its blocks are gone");
            }
            items.add(new RoundMerge.Item(
                    d.device(),
                    trained,
                    store.read(d.result(), new TypeReference<ItemResult>() {}),
                    d.attempts(),
                    d.worker()));
        }
        RoundSchedule schedule = store.schedule(job.id(), round).orElse(null);
        JobSettings roundSpec = JobStore.roundSpec(spec, schedule);
        RoundMerge.Outcome merged = RoundMerge.of(roundSpec, h.state(), items);
        boolean last = round == job.rounds();
        Map<String, Double> dev = null;
        long evaluation = 0;
        if (last || (spec.evalEvery() > 0 && round % spec.evalEvery() == 0)) {
            long t0 = System.nanoTime();
            dev = evaluate(spec, backbone, merged.blocks());
            evaluation = System.nanoTime() - t0;
        }
        double wall = store.roundWallSeconds(job.id(), round);
        metrics.roundCompleted(wall);
        double predicted = roundSpec.predictedRoundLatencySeconds();
        boolean drift = predicted > 0
                && Math.abs(merged.emulatedRoundLatencySeconds() - predicted) > driftTolerance * predicted;
        JobView.RoundMetrics m = new JobView.RoundMetrics(
                round,
                merged.trainingLoss(),
                dev,
                merged.devices(),
                merged.emulatedRoundLatencySeconds(),
                predicted,
                wall,
                Instant.now(),
                schedule == null ? null : schedule.replanned(),
                drift);
        replanning.measured(job.planId(), roundSpec, merged.devices());
        // The next round's schedule is written with the round itself, in this transaction.
        RoundSchedule next = last ? null : replanning.schedule(job.planId(), spec, round + 1, schedule, drift);
        byte[] resultBlocks = last ? Safetensors.write(merged.blocks()) : null;
        JobView.Result result = last
                ? new JobView.Result(
                        dev, "/api/v1/jobs/" + job.id() + "/blocks", resultBlocks.length, Digests.sha256(resultBlocks))
                : null;
        return new WorkQueue.Merged(merged.blocks(), m, result, resultBlocks, evaluation, next);
    }

    private Map<String, Double> evaluate(
            JobSettings spec, Backbones.Backbone backbone, Map<String, HostTensor> blocks) {
        Backbones.Data data = backbones.data(spec);
        synchronized (ENGINE) {
            backbone.held().configure(Backbones.optimizer(spec));
            backbone.held().hold(blocks);
            return Evaluator.evaluate(backbone.trainer().model(), GlueTask.parse(spec.task()), data.dev(), 64);
        }
    }

    private double hostFlops() {
        if (hostFlops <= 0) {
            hostFlops = props.hostFlops() > 0 ? props.hostFlops() : HostCalibration.gemmFlops();
            log.info("Job worker {}: host FLOP/s {}", name, hostFlops);
        }
        return hostFlops;
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.length() > 2000 ? m.substring(0, 2000) : m;
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(props.poll().toMillis() * 4);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "worker";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
    }
}
