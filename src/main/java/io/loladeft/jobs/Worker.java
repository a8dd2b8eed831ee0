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
import io.loladeft.jobs.RoundInputs.Hand;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * last item. One thread trains; scale by running more worker processes. A second thread stores an
 * item's completion (and merges its round) while the first trains the next item, so PostgreSQL's
 * time is off the round's critical path: the next item of the round, claimed at once, or, when
 * the completion merges a round this worker trained all of, the next round's first item, trained
 * ahead of its claim from the merged state in hand (docs/jobs.md, "The queue and its guarantees").
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
    /** The input of the round this worker last worked on, with its own items' blocks. */
    private final RoundInputs inputs;
    /** The previous item's completion, being stored on {@link #storeThread}; null when there is none. */
    private Pending pending;
    /**
     * Stores completed items (and merges their rounds) while the worker thread trains the next
     * item. Touches no PyTorch state: a completion that evaluates runs on the worker thread.
     */
    private final ExecutorService storeThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "job-store");
        t.setDaemon(true);
        return t;
    });

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
        this.inputs = new RoundInputs(store);
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
        storeThread.shutdownNow();
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
            finishPending();
        } finally {
            log.info("Job worker {} stopped", name);
        }
    }

    /**
     * Claims and runs one item; false when there was nothing to do. While the previous item's
     * completion is being stored ({@link #pending}), this worker claims and trains the next item
     * of the round, or, when that completion merges a round whose every item it trained, the next
     * round's first item ahead of its claim ({@link Ahead}).
     */
    private boolean runOne() {
        Ahead ahead = null;
        Optional<Claimed> claimed;
        if (pending != null && pending.next() != null) {
            try {
                ahead = trainAhead(pending.next());
            } catch (RuntimeException e) {
                // Only a head start is lost: the item is trained again once claimed.
                log.warn("Job worker {}: training ahead failed: {}", name, e.toString());
            }
            claimed = settle();
            if (claimed.isEmpty() && running.get()) {
                claimed = claim();
            }
        } else {
            claimed = claim();
            if (claimed.isEmpty() && pending != null) {
                claimed = settle();
                if (claimed.isEmpty()) {
                    claimed = claim();
                }
            }
        }
        if (claimed.isEmpty()) {
            return false;
        }
        handle(claimed.get(), ahead);
        return true;
    }

    /** A claimed item, the flag its heartbeats clear when the claim is lost, and the heartbeats. */
    private record Claimed(WorkQueue.Item item, AtomicBoolean held, ScheduledFuture<?> beat) {}

    private Optional<Claimed> claim() {
        long t0 = System.nanoTime();
        Optional<WorkQueue.Item> claimed = queue.claim(name, props.lease());
        if (claimed.isEmpty()) {
            return Optional.empty();
        }
        metrics.phase(JobMetrics.Phase.CLAIM, System.nanoTime() - t0);
        WorkQueue.Item item = claimed.get();
        inHand.set(item);
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
        return Optional.of(new Claimed(item, held, beat));
    }

    /**
     * Trains a claimed item (or takes the result trained ahead for it) and hands its completion to
     * the store thread; a completion that may evaluate (the round's dev evaluation is due) runs on
     * this thread, the one prepared for PyTorch.
     */
    private void handle(Claimed claimed, Ahead ahead) {
        WorkQueue.Item item = claimed.item();
        boolean handedOn = false;
        try {
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
                return;
            }
            Trained t = null;
            if (ahead != null) {
                t = ahead.takenBy(item, inputs.current());
                metrics.ahead(t != null);
            }
            if (t == null) {
                t = trainClaimed(item);
                if (t == null) {
                    return;
                }
            }
            if (!claimed.held().get()) {
                log.info(
                        "Item {} of job {} was withdrawn while training; dropping its result", item.id(), item.jobId());
                return;
            }
            // Kept in hand before completing: if this completion merges the round, the merge uses it.
            t.in().produced().put(item.device(), t.trained().blocks());
            if (pending != null) {
                settle();
            }
            // On the training thread: a completion that evaluates, or every one when overlap is off.
            boolean inline = !props.overlap() || evaluates(t.job(), item.round());
            Next next = inline ? null : nextAfter(item, t);
            Completion completion = new Completion(claimed, t, result(t, item.round()), next, durable(t, item.round()));
            handedOn = true;
            if (inline) {
                apply(completion.call());
            } else {
                pending = new Pending(store(completion), next);
            }
        } catch (JobFailure e) {
            log.warn("Job {} cannot go on after round {}: {}", item.jobId(), item.round(), e.getMessage());
            store.end(item.jobId(), JobState.FAILED, e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Job {} failed in round {} on device {}", item.jobId(), item.round(), item.device(), e);
            store.end(item.jobId(), JobState.FAILED, "TrainingError", message(e));
        } finally {
            if (!handedOn) {
                claimed.beat().cancel(false);
            }
            inHand.compareAndSet(item, null);
        }
    }

    /**
     * Whether an item of {@code round} stores its blocks: unless this worker holds the job's rounds whole (it
     * trained and merged the previous round alone, so no other worker needs them), always; else only at a
     * checkpoint (every {@code checkpointEvery}-th round) and in a round that evaluates (the last one too), whose
     * merge needs every block wherever it runs. Between checkpoints a worker that loses its hand, or another
     * worker, rebuilds the input by training the rounds since the checkpoint again ({@link RoundInputs#input}).
     */
    private boolean durable(Trained t, int round) {
        return !t.in().heldPrevious() || round % props.checkpointEvery() == 0 || evaluates(t.job(), round);
    }

    /** Reads what a claimed item needs and trains it; null when its round was merged without it. */
    private Trained trainClaimed(WorkQueue.Item item) {
        long t0 = System.nanoTime();
        JobStore.JobRow job = store.find(item.jobId()).orElseThrow();
        long read = System.nanoTime() - t0;
        JobSettings spec = job.spec();
        // Built once per model and data set, then cached: not a phase.
        Backbones.Data data = backbones.data(spec);
        Backbones.Backbone backbone = backbones.backbone(spec);
        t0 = System.nanoTime();
        long[] replayed = {0};
        Optional<Hand> input = job.round() > item.round()
                ? Optional.empty()
                : inputs.input(job.id(), item.round(), spec, backbone, (round, state) -> {
                    long r0 = System.nanoTime();
                    Map<String, HostTensor> next = replay(job, round, state, backbone, data);
                    replayed[0] += System.nanoTime() - r0;
                    return next;
                });
        metrics.phase(JobMetrics.Phase.READ, read + System.nanoTime() - t0 - replayed[0]);
        if (input.isEmpty()) {
            // A round is merged only when all its items are done (and only a later merge drops the
            // stored blocks an input is rebuilt from): someone else did this one while this worker
            // held an expired claim.
            log.info(
                    "Item {} of job {}: round {} was merged without it; dropping it",
                    item.id(),
                    job.id(),
                    item.round());
            return null;
        }
        return train(job, item.round(), item.device(), item.layers(), input.get(), backbone, data);
    }

    /** An item trained from its round's input in hand. */
    private record Trained(JobStore.JobRow job, Hand in, Backbones.Backbone backbone, DeviceTrainer.Trained trained) {

        JobSettings spec() {
            return job.spec();
        }
    }

    private Trained train(
            JobStore.JobRow job,
            int round,
            String device,
            List<Integer> layers,
            Hand in,
            Backbones.Backbone backbone,
            Backbones.Data data) {
        long t0 = System.nanoTime();
        DeviceTrainer.Trained trained = fit(job.spec(), round, layers, in.state(), backbone, data);
        metrics.phase(JobMetrics.Phase.TRAIN, System.nanoTime() - t0);
        return new Trained(job, in, backbone, trained);
    }

    /** Trains {@code layers} from {@code state} as round {@code round} of a job with this spec does, wherever it runs. */
    private static DeviceTrainer.Trained fit(
            JobSettings spec,
            int round,
            List<Integer> layers,
            Map<String, HostTensor> state,
            Backbones.Backbone backbone,
            Backbones.Data data) {
        var batches = RoundBatches.of(data.train(), spec.batchSize(), spec.localIterations(), spec.seed(), round);
        synchronized (ENGINE) {
            Engine.getInstance().setRandomSeed(RoundBatches.dropoutSeed(spec.seed(), round));
            backbone.held().configure(Backbones.optimizer(spec));
            backbone.trainer().setLearningRate(Backbones.schedule(spec).at(round));
            backbone.held().hold(state);
            return backbone.held().train(layers, batches);
        }
    }

    /**
     * Round {@code round}'s every item trained again from its input, as it ran (its schedule's devices and
     * blocks; the batches, dropout and learning rate depend on (seed, round) only), merged into the next
     * round's input: the blocks its workers kept in hand, rebuilt bit for bit ({@link RoundInputs.Replay}).
     */
    private Map<String, HostTensor> replay(
            JobStore.JobRow job,
            int round,
            Map<String, HostTensor> input,
            Backbones.Backbone backbone,
            Backbones.Data data) {
        long t0 = System.nanoTime();
        JobSettings roundSpec = roundSpec(job, round);
        List<Map<String, HostTensor>> parts = new ArrayList<>();
        for (String device : devices(roundSpec)) {
            List<Integer> layers = roundSpec.fused()
                    ? roundSpec.allLayers()
                    : roundSpec.device(device).layers();
            parts.add(fit(job.spec(), round, layers, input, backbone, data).blocks());
        }
        metrics.phase(JobMetrics.Phase.REPLAY, System.nanoTime() - t0);
        log.info(
                "Job worker {}: trained round {} of job {} again to rebuild a later round's input",
                name,
                round,
                job.id());
        return RoundMerge.next(input, parts);
    }

    /**
     * What a trained item reports; a fused item also each device's bytes, by its round's schedule
     * (known once the item is claimed: an item trained ahead is trained before its round exists).
     */
    private ItemResult result(Trained t, int round) {
        Map<String, Long> deviceUploads = null;
        if (t.spec().fused()) {
            deviceUploads = new TreeMap<>();
            for (JobSettings.DeviceRun d : roundSpec(t.job(), round).devices()) {
                deviceUploads.put(d.name(), t.backbone().trainer().uploadBytes(d.layers()));
            }
        }
        DeviceTrainer.Measurement m = t.trained().measurement();
        return new ItemResult(
                m.computeSeconds(),
                hostFlops(),
                t.trained().uploadBytes(),
                m.peakRssBytes(),
                m.losses(),
                deviceUploads);
    }

    /** The job's spec as round {@code round} runs it: its own schedule's, when it has one. */
    private JobSettings roundSpec(JobStore.JobRow job, int round) {
        // A job that does not schedule its rounds never stores a schedule: no need to look.
        return job.spec().schedulesRounds()
                ? JobStore.roundSpec(job.spec(), store.schedule(job.id(), round).orElse(null))
                : job.spec();
    }

    /**
     * The item this worker trains next, ahead of its claim, when completing {@code item} merges its
     * round as far as this worker can tell: it trained every item of the round (the fused round's
     * one item, or every device's), so it holds the next round's input. It is the next round's first
     * item as this round's schedule has it (the merge decides the next round's: if that moves blocks,
     * the item trained ahead is not the one claimed, and is dropped). Null otherwise.
     */
    private Next nextAfter(WorkQueue.Item item, Trained t) {
        if (item.round() >= t.job().rounds()) {
            return null;
        }
        JobSettings round = roundSpec(t.job(), item.round());
        List<String> devices = devices(round);
        if (!t.in().produced().keySet().containsAll(devices)) {
            return null;
        }
        String first = devices.get(0);
        List<Integer> layers =
                round.fused() ? round.allLayers() : round.device(first).layers();
        return new Next(t.job(), t.in(), devices, item.round() + 1, first, layers, t.backbone());
    }

    /** A round's items' devices, in the order its items are made (and so claimed). */
    private static List<String> devices(JobSettings roundSpec) {
        return roundSpec.fused()
                ? List.of(WorkQueue.ALL_DEVICES)
                : roundSpec.devices().stream().map(JobSettings.DeviceRun::name).toList();
    }

    /** The next round's first item, as this worker expects it: trained ahead while its round is stored. */
    private record Next(
            JobStore.JobRow job,
            Hand previous,
            List<String> previousDevices,
            int round,
            String device,
            List<Integer> layers,
            Backbones.Backbone backbone) {}

    /** An item trained ahead of its claim, from the next round's input this worker made itself. */
    private record Ahead(Next next, Map<String, HostTensor> state, Trained trained) {

        /**
         * This result, if {@code item} is the one it was trained for and the merge gave the input it
         * was trained from (the same tensors); else null, and the item is trained as claimed.
         */
        Trained takenBy(WorkQueue.Item item, Hand hand) {
            boolean same = item.jobId().equals(next.job().id())
                    && item.round() == next.round()
                    && item.device().equals(next.device())
                    && item.layers().equals(next.layers())
                    && hand != null
                    && hand.job().equals(item.jobId())
                    && hand.round() == item.round()
                    && sameTensors(hand.state(), state);
            return same ? new Trained(trained.job(), hand, trained.backbone(), trained.trained()) : null;
        }

        private static boolean sameTensors(Map<String, HostTensor> a, Map<String, HostTensor> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, HostTensor> e : a.entrySet()) {
                if (b.get(e.getKey()) != e.getValue()) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Trains the next round's first item while the store thread merges the round: its input is the
     * union of the round's items' blocks, all in hand (what the merge will make of them, tensor for
     * tensor); its mini-batches, dropout and learning rate depend on (seed, round) only. Nothing is
     * stored until the item is claimed, after the merge commits.
     */
    private Ahead trainAhead(Next next) {
        Hand previous = next.previous();
        Map<String, HostTensor> state = RoundMerge.next(
                previous.state(),
                next.previousDevices().stream()
                        .map(d -> previous.produced().get(d))
                        .toList());
        Hand in = new Hand(next.job().id(), next.round(), state, new ConcurrentHashMap<>(), true);
        Trained t = train(
                next.job(),
                next.round(),
                next.device(),
                next.layers(),
                in,
                next.backbone(),
                backbones.data(next.job().spec()));
        return new Ahead(next, state, t);
    }

    /** A completion in progress on the store thread, and the item trained ahead meanwhile (or null). */
    private record Pending(Future<Finished> finished, Next next) {}

    /** What a completion came to: null {@code completed} when it failed the job. */
    private record Finished(Completion completion, WorkQueue.Completed completed, Optional<Claimed> claimed) {}

    /**
     * An item's completion: serialising its blocks (when {@code durable}), storing them with its
     * measurements and, when it is the round's last, the merge, in one transaction
     * ({@link WorkQueue#complete}); then, if this worker trains the next round's first item ahead,
     * claiming the next item at once.
     */
    private final class Completion implements Callable<Finished> {
        private final Claimed claimed;
        private final Trained trained;
        private final ItemResult result;
        private final Next next;
        private final boolean durable;

        Completion(Claimed claimed, Trained trained, ItemResult result, Next next, boolean durable) {
            this.claimed = claimed;
            this.trained = trained;
            this.result = result;
            this.next = next;
            this.durable = durable;
        }

        @Override
        public Finished call() {
            WorkQueue.Item item = claimed.item();
            WorkQueue.Completed c = null;
            try {
                long t0 = System.nanoTime();
                byte[] updated = durable ? Safetensors.write(trained.trained().blocks()) : null;
                c = queue.complete(item, updated, store.write(result), (job, done) -> merge(job, done, trained));
                if (c.completion() == WorkQueue.Completion.MERGED) {
                    long evaluation = c.merged().evaluationNanos();
                    metrics.phase(JobMetrics.Phase.MERGE, System.nanoTime() - t0 - evaluation);
                    if (evaluation > 0) {
                        metrics.phase(JobMetrics.Phase.EVALUATE, evaluation);
                    }
                } else {
                    metrics.phase(JobMetrics.Phase.STORE, System.nanoTime() - t0);
                }
                log.debug(
                        "Item {} (job {}, round {}, device {}): {}",
                        item.id(),
                        item.jobId(),
                        item.round(),
                        item.device(),
                        c.completion());
            } catch (JobFailure e) {
                log.warn("Job {} cannot go on after round {}: {}", item.jobId(), item.round(), e.getMessage());
                endQuietly(item, e.reason(), e.getMessage());
            } catch (RuntimeException e) {
                log.warn("Job {} failed in round {} on device {}", item.jobId(), item.round(), item.device(), e);
                endQuietly(item, "TrainingError", message(e));
            } finally {
                claimed.beat().cancel(false);
            }
            boolean goOn = next != null && c != null && c.completion() == WorkQueue.Completion.MERGED && running.get();
            Optional<Claimed> nextClaim = Optional.empty();
            if (goOn) {
                try {
                    nextClaim = claim();
                } catch (RuntimeException e) {
                    log.warn("Job worker {}: {}", name, e.toString());
                }
            }
            return new Finished(this, c, nextClaim);
        }

        private void endQuietly(WorkQueue.Item item, String reason, String message) {
            try {
                store.end(item.jobId(), JobState.FAILED, reason, message);
            } catch (RuntimeException e) {
                log.warn("Job {} could not be failed: {}", item.jobId(), e.toString());
            }
        }
    }

    private Future<Finished> store(Completion completion) {
        return storeThread.submit(completion);
    }

    /** Waits for the pending completion and takes in what it came to; the item it claimed next, if any. */
    private Optional<Claimed> settle() {
        Pending p = pending;
        pending = null;
        Finished f;
        try {
            f = p.finished().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while an item's completion was being stored", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        apply(f);
        return f.claimed();
    }

    /** A finished completion's effect on what this worker holds. */
    private void apply(Finished f) {
        WorkQueue.Completed c = f.completed();
        Trained t = f.completion().trained;
        WorkQueue.Item item = f.completion().claimed.item();
        if (c == null || c.completion() == WorkQueue.Completion.LOST) {
            t.in().produced().remove(item.device());
        } else if (c.completion() == WorkQueue.Completion.MERGED) {
            inputs.merged(
                    item.jobId(),
                    item.round(),
                    t.job().rounds(),
                    c.merged().state(),
                    c.merged().heldRound());
        }
    }

    /**
     * Merges a complete round inside the completing transaction ({@link WorkQueue.Merger}): the
     * round's input is in hand (this worker trained the round's last item on it), and so are the
     * blocks of its own items; the others' are read (another worker's kept in hand between checkpoints
     * are not there: the merge then makes no state, and the next round's input is rebuilt where
     * needed). The merge itself is {@link RoundMerge}; then the dev evaluation when due, and the
     * round's metrics. Only the last round's state is serialised.
     */
    private WorkQueue.Merged merge(JobStore.JobRow job, List<WorkQueue.Done> done, Trained last) {
        JobSettings spec = job.spec();
        int round = job.round();
        Hand h = last.in();
        if (!h.job().equals(job.id()) || h.round() != round) {
            throw new IllegalStateException("merging round " + round + " of job " + job.id() + " without its input");
        }
        Backbones.Backbone backbone = last.backbone();
        List<String> devices = done.stream().map(WorkQueue.Done::device).toList();
        Map<String, Map<String, HostTensor>> blocks = inputs.itemBlocks(h, devices);
        boolean heldRound = h.produced().keySet().containsAll(devices);
        List<RoundMerge.Item> items = new ArrayList<>();
        for (WorkQueue.Done d : done) {
            Map<String, HostTensor> trained = blocks.get(d.device());
            // Items of a round that evaluates (the last one too) always store their blocks.
            if (trained == null && evaluates(job, round)) {
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
        // A job that does not schedule its rounds never stores a schedule: no need to look.
        RoundSchedule schedule =
                spec.schedulesRounds() ? store.schedule(job.id(), round).orElse(null) : null;
        JobSettings roundSpec = JobStore.roundSpec(spec, schedule);
        RoundMerge.Outcome merged = RoundMerge.of(roundSpec, h.state(), items);
        boolean final_ = round == job.rounds();
        Map<String, Double> dev = null;
        long evaluation = 0;
        if (evaluates(job, round)) {
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
        RoundSchedule next = final_ ? null : replanning.schedule(job.planId(), spec, round + 1, schedule, drift);
        byte[] resultBlocks = final_ ? Safetensors.write(merged.blocks()) : null;
        JobView.Result result = final_
                ? new JobView.Result(
                        dev, "/api/v1/jobs/" + job.id() + "/blocks", resultBlocks.length, Digests.sha256(resultBlocks))
                : null;
        return new WorkQueue.Merged(merged.blocks(), heldRound, m, result, resultBlocks, evaluation, next);
    }

    /**
     * Whether the merge of {@code round} evaluates on dev (the last round, and every
     * {@code evalEvery}-th): such a completion runs on the worker thread, the one PyTorch is readied
     * for, not on the store thread.
     */
    private static boolean evaluates(JobStore.JobRow job, int round) {
        return round == job.rounds()
                || (job.spec().evalEvery() > 0 && round % job.spec().evalEvery() == 0);
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

    /**
     * On the way out: waits for the completion in progress, and hands back the item it claimed for
     * this worker, if any (it claims none once the worker is stopping).
     */
    private void finishPending() {
        if (pending == null) {
            return;
        }
        try {
            settle().ifPresent(c -> {
                c.beat().cancel(false);
                queue.release(c.item());
            });
        } catch (RuntimeException e) {
            log.warn("Job worker {}: {}", name, e.toString());
        }
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
