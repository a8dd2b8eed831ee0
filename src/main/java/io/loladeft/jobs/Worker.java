package io.loladeft.jobs;

import ai.djl.engine.Engine;
import io.loladeft.common.Digests;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.profile.HostCalibration;
import io.loladeft.finetune.train.Evaluator;
import io.loladeft.finetune.train.RoundResult;
import io.loladeft.finetune.train.TorchThread;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
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
    private final WorkerProperties props;
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
     * The input state of the last round this worker worked on: a round's is written once, and one
     * worker often runs several of its items, then merges the round and goes on with the next.
     */
    private RoundInput lastInput;
    private double hostFlops;

    Worker(WorkQueue queue, JobStore store, JobMetrics metrics, WorkerProperties props) {
        this.queue = queue;
        this.store = store;
        this.metrics = metrics;
        this.props = props;
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
                        log.info("Job worker {} stopping: handed item {} (job {}, round {}, device {}) back to the queue",
                                name, left.id(), left.jobId(), left.round(), left.device());
                    }
                } catch (RuntimeException e) {
                    log.warn("Job worker {} could not hand item {} back; its lease will expire: {}", name, left.id(),
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
        // thread loaded the engine. One intra-op thread by default: see WorkerProperties.torchThreads.
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
            String whose = item.device().equals(WorkQueue.ALL_DEVICES) ? "the fused item" : "device " + item.device() + "'s item";
            store.end(item.jobId(), JobState.FAILED, "TooManyAttempts", whose + " of round " + item.round()
                    + " was claimed " + item.attempts() + " times without completing");
            return true;
        }
        AtomicBoolean held = new AtomicBoolean(true);
        long every = Math.max(1, props.lease().toMillis() / 3);
        ScheduledFuture<?> beat = heartbeats.scheduleAtFixedRate(() -> {
            try {
                if (!queue.heartbeat(item, props.lease())) {
                    held.set(false);
                }
            } catch (RuntimeException e) {
                log.warn("heartbeat of item {} failed: {}", item.id(), e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        inHand.set(item);
        try {
            run(item, held);
        } catch (RuntimeException e) {
            log.warn("Job {} failed in round {} on device {}", item.jobId(), item.round(), item.device(), e);
            store.end(item.jobId(), JobState.FAILED, "TrainingError", message(e));
        } finally {
            inHand.set(null);
            beat.cancel(false);
        }
        return true;
    }

    private void run(WorkQueue.Item item, AtomicBoolean held) {
        long t0 = System.nanoTime();
        JobStore.JobRow job = store.find(item.jobId()).orElseThrow();
        long read = System.nanoTime() - t0;
        JobSpec spec = job.spec();
        // Built once per model and data set, then cached: not a phase.
        Backbones.Data data = backbones.data(spec);
        Backbones.Backbone backbone = backbones.backbone(spec);
        t0 = System.nanoTime();
        Optional<byte[]> input = roundInput(job.id(), item.round(), spec, backbone);
        metrics.phase(JobMetrics.Phase.READ, read + System.nanoTime() - t0);
        if (input.isEmpty()) {
            // Only a merged round's input is gone, and a round is merged only when all its items are
            // done: someone else did this one while this worker held an expired claim.
            log.info("Item {} of job {}: round {} was merged without it; dropping it", item.id(), job.id(), item.round());
            return;
        }
        byte[] global = input.get();
        var batches = RoundBatches.of(data.train(), spec.batchSize(), spec.localIterations(), spec.seed(), item.round());
        RoundResult r;
        t0 = System.nanoTime();
        synchronized (ENGINE) {
            Engine.getInstance().setRandomSeed(RoundBatches.dropoutSeed(spec.seed(), item.round()));
            backbone.trainer().configure(Backbones.optimizer(spec));
            backbone.trainer().setLearningRate(Backbones.schedule(spec).at(item.round()));
            r = backbone.trainer().train(global, item.layers(), batches);
        }
        metrics.phase(JobMetrics.Phase.TRAIN, System.nanoTime() - t0);
        if (!held.get()) {
            log.info("Item {} of job {} was withdrawn while training; dropping its result", item.id(), job.id());
            return;
        }
        Map<String, Long> deviceUploads = null;
        if (spec.fused()) {
            deviceUploads = new TreeMap<>();
            for (JobSpec.DeviceRun d : spec.devices()) {
                deviceUploads.put(d.name(), backbone.trainer().uploadBytes(d.layers()));
            }
        }
        ItemResult result = new ItemResult(r.computeSeconds(), hostFlops(), r.uploadBytes(), r.peakRssBytes(),
                r.losses(), deviceUploads);
        t0 = System.nanoTime();
        WorkQueue.Completed c = queue.complete(item, r.updatedBlocks(), store.write(result), this::merge);
        if (c.completion() == WorkQueue.Completion.MERGED) {
            WorkQueue.Merged merged = c.merged();
            if (item.round() < job.rounds()) {
                // The merged state is the next round's input, committed now: kept, saving a read.
                lastInput = new RoundInput(job.id(), item.round() + 1, merged.globalBlocks());
            }
            metrics.phase(JobMetrics.Phase.MERGE, System.nanoTime() - t0 - merged.evaluationNanos());
            if (merged.evaluationNanos() > 0) {
                metrics.phase(JobMetrics.Phase.EVALUATE, merged.evaluationNanos());
            }
        } else {
            metrics.phase(JobMetrics.Phase.STORE, System.nanoTime() - t0);
        }
        log.debug("Item {} (job {}, round {}, device {}): {}", item.id(), job.id(), item.round(), item.device(),
                c.completion());
    }

    private record RoundInput(UUID job, int round, byte[] blocks) {}

    /**
     * The state a round starts from: round 1 from the model's seeded blocks, a later round from what
     * the previous merge wrote. Empty when the round is already merged (its input is then dropped).
     */
    private Optional<byte[]> roundInput(UUID job, int round, JobSpec spec, Backbones.Backbone backbone) {
        RoundInput last = lastInput;
        if (last != null && last.job().equals(job) && last.round() == round) {
            return Optional.of(last.blocks());
        }
        Optional<byte[]> blocks = round == 1 ? Optional.of(backbone.initialBlocks(Backbones.optimizer(spec)))
                : store.globalBlocks(job, round);
        blocks.ifPresent(b -> lastInput = new RoundInput(job, round, b));
        return blocks;
    }

    /**
     * Merges a complete round inside the completing transaction ({@link WorkQueue.Merger}): the
     * round's input is in hand (this worker trained the round's last item on it), the merge itself is
     * {@link RoundMerge}; then the dev evaluation when due, and the round's metrics.
     */
    private WorkQueue.Merged merge(JobStore.JobRow job, List<WorkQueue.Done> done) {
        JobSpec spec = job.spec();
        int round = job.round();
        Backbones.Backbone backbone = backbones.backbone(spec);
        List<RoundMerge.Item> items = done.stream().map(d -> new RoundMerge.Item(d.device(), d.updatedBlocks(),
                store.read(d.result(), new TypeReference<ItemResult>() {}), d.attempts(), d.worker())).toList();
        RoundMerge.Outcome merged = RoundMerge.of(spec, roundInput(job.id(), round, spec, backbone).orElseThrow(), items);
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
        JobView.RoundMetrics m = new JobView.RoundMetrics(round, merged.trainingLoss(), dev, merged.devices(),
                merged.emulatedRoundLatencySeconds(), spec.predictedRoundLatencySeconds(), wall, Instant.now());
        JobView.Result result = last ? new JobView.Result(dev, "/api/v1/jobs/" + job.id() + "/blocks",
                merged.blocks().length, Digests.sha256(merged.blocks())) : null;
        return new WorkQueue.Merged(merged.blocks(), m, result, evaluation);
    }

    private Map<String, Double> evaluate(JobSpec spec, Backbones.Backbone backbone, byte[] blocks) {
        Backbones.Data data = backbones.data(spec);
        synchronized (ENGINE) {
            backbone.trainer().configure(Backbones.optimizer(spec));
            backbone.trainer().loadBlocks(blocks);
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
        } catch (java.io.IOException e) {
            host = "worker";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
    }
}
