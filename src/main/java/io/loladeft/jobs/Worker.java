package io.loladeft.jobs;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.profile.HostCalibration;
import io.loladeft.finetune.train.Evaluator;
import io.loladeft.finetune.train.Merge;
import io.loladeft.finetune.train.RoundResult;
import io.loladeft.finetune.train.TorchThread;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
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
class Worker implements SmartLifecycle, WorkQueue.Merger {

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
    /** The next round's input, from a merge whose transaction has not committed yet. */
    private RoundInput merging;
    /** Nanoseconds the merge in progress spent evaluating; the MERGE phase leaves them out. */
    private long evaluating;
    private double hostFlops;

    Worker(WorkQueue queue, JobStore store, JobMetrics metrics, WorkerProperties props) {
        this.queue = queue;
        this.store = store;
        this.metrics = metrics;
        this.props = props;
        this.name = props.name().isBlank() ? defaultName() : props.name();
    }

    /**
     * What an item reports; stored with the item as JSON. A fused round's one item also gives each
     * device's {@code uploadBytes} (its own blocks); its other figures are the whole step's.
     */
    record ItemResult(double computeSeconds, double hostFlops, long uploadBytes, long peakRssBytes, List<Double> losses,
            Map<String, Long> deviceUploadBytes) {}

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
        prepareTorchThread(props.torchThreads());
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

    /** Claims and runs one item; false when there was nothing to do. Package-private for tests. */
    boolean runOne() {
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
            Engine.getInstance().setRandomSeed(roundSeed(spec.seed(), item.round()));
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
        WorkQueue.Completion c;
        t0 = System.nanoTime();
        evaluating = 0;
        try {
            c = queue.complete(item, r.updatedBlocks(), store.write(result), this);
            if (c == WorkQueue.Completion.MERGED && merging != null) {
                lastInput = merging;
            }
        } finally {
            merging = null;
        }
        if (c == WorkQueue.Completion.MERGED) {
            metrics.phase(JobMetrics.Phase.MERGE, System.nanoTime() - t0 - evaluating);
            if (evaluating > 0) {
                metrics.phase(JobMetrics.Phase.EVALUATE, evaluating);
            }
        } else {
            metrics.phase(JobMetrics.Phase.STORE, System.nanoTime() - t0);
        }
        log.debug("Item {} (job {}, round {}, device {}): {}", item.id(), job.id(), item.round(), item.device(), c);
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

    @Override
    public WorkQueue.Merged merge(JobStore.JobRow job, List<WorkQueue.Done> items) {
        JobSpec spec = job.spec();
        int round = job.round();
        Backbones.Backbone backbone = backbones.backbone(spec);
        // The round's input: this worker trained the round's last item on it, so it is in hand.
        byte[] merged = Merge.apply(roundInput(job.id(), round, spec, backbone).orElseThrow(),
                items.stream().map(WorkQueue.Done::updatedBlocks).toList(), true);
        // The merged state is the next round's input: kept once the merge commits, saving a read.
        merging = round < job.rounds() ? new RoundInput(job.id(), round + 1, merged) : null;
        double lossSum = 0;
        int lossN = 0;
        double emulatedRound = 0;
        List<JobView.DeviceRound> devices = new ArrayList<>();
        for (WorkQueue.Done d : items) {
            ItemResult r = store.read(d.result(), new TypeReference<ItemResult>() {});
            for (double l : r.losses()) {
                lossSum += l;
                lossN++;
            }
            for (DeviceShare share : shares(spec, d, r)) {
                JobSpec.DeviceRun run = share.run();
                double compute = Emulation.computeSeconds(share.computeSeconds(), r.hostFlops(), run.computeFlops());
                double upload = Emulation.uploadSeconds(share.uploadBytes(), run.bandwidthHz(), run.txPowerDbm(),
                        run.channelGainDb(), spec.noisePsdDbmPerHz());
                devices.add(new JobView.DeviceRound(run.name(), share.computeSeconds(), r.hostFlops(),
                        share.uploadBytes(), compute, upload, compute + upload, run.predictedLatencySeconds(),
                        d.attempts(), d.worker()));
                emulatedRound = Math.max(emulatedRound, compute + upload);
            }
        }
        boolean last = round == job.rounds();
        Map<String, Double> dev = null;
        if (last || (spec.evalEvery() > 0 && round % spec.evalEvery() == 0)) {
            dev = evaluate(spec, backbone, merged);
        }
        double wall = store.roundWallSeconds(job.id(), round);
        metrics.roundCompleted(wall);
        JobView.RoundMetrics m = new JobView.RoundMetrics(round, lossSum / lossN, dev, devices, emulatedRound,
                spec.predictedRoundLatencySeconds(), wall, Instant.now());
        JobView.Result result = last
                ? new JobView.Result(dev, "/api/v1/jobs/" + job.id() + "/blocks", merged.length, sha256(merged))
                : null;
        return new WorkQueue.Merged(merged, m, result);
    }

    /** A device's part of an item: its compute seconds on this host and the bytes it uploads. */
    private record DeviceShare(JobSpec.DeviceRun run, double computeSeconds, long uploadBytes) {}

    /**
     * What each device did in item {@code d}. A device's own item is its own. A fused item measured one
     * step for all: every device's forward is the same pass, and their backward passes differ only in how
     * deep they go and which weight gradients they take, so each device is given the step's seconds in the
     * proportion of its FLOPs to the fused step's (the cost model's, docs/planning.md) and its own blocks'
     * bytes. The losses are the step's, the same for every device.
     */
    static List<DeviceShare> shares(JobSpec spec, WorkQueue.Done d, ItemResult r) {
        if (!spec.fused()) {
            return List.of(new DeviceShare(spec.device(d.device()), r.computeSeconds(), r.uploadBytes()));
        }
        List<DeviceShare> shares = new ArrayList<>();
        for (JobSpec.DeviceRun run : spec.devices()) {
            double fraction = Math.min(1, run.iterationFlops() / spec.fusedIterationFlops());
            shares.add(new DeviceShare(run, r.computeSeconds() * fraction, r.deviceUploadBytes().get(run.name())));
        }
        return shares;
    }

    private Map<String, Double> evaluate(JobSpec spec, Backbones.Backbone backbone, byte[] blocks) {
        Backbones.Data data = backbones.data(spec);
        long t0 = System.nanoTime();
        try {
            synchronized (ENGINE) {
                backbone.trainer().configure(Backbones.optimizer(spec));
                backbone.trainer().loadBlocks(blocks);
                return Evaluator.evaluate(backbone.trainer().model(), GlueTask.parse(spec.task()), data.dev(), 64);
            }
        } finally {
            evaluating += System.nanoTime() - t0;
        }
    }

    private double hostFlops() {
        if (hostFlops <= 0) {
            hostFlops = props.hostFlops() > 0 ? props.hostFlops() : HostCalibration.gemmFlops();
            log.info("Job worker {}: host FLOP/s {}", name, hostFlops);
        }
        return hostFlops;
    }

    /**
     * Prepares the worker thread for PyTorch; both settings are per thread, so this runs first thing
     * on it, whichever thread loaded the engine.
     *
     * <p>One intra-op thread by default ({@code loladeft.worker.torch-threads}): on a 2-core host shared with other work an item ran about ten times
     * faster with one than with the default (150 local iterations of a tiny LoRA model in 1 to 3 s
     * instead of 40 in 10 to 13 s), and a worker scales by running more processes. (Runs with more
     * threads once gave different bytes for the same item; that was the garbage-collection defect,
     * see GcDuringTrainingTest; after its fix a one-off check gave identical bytes with 2 threads.)
     * {@code at::set_num_threads} acts on this thread (OpenMP's setting is per thread) and on threads
     * that first touch PyTorch later. The host FLOP/s calibration then measures what trains: one thread.
     *
     * <p>Grad mode off: DJL turns it off only on the thread that loads the engine, and a gradient
     * collector restores the thread's previous mode on close; with it on, the optimizer's in-place
     * update of a leaf parameter fails ("a leaf Variable that requires grad is being used in an
     * in-place operation") on a thread that did not load the engine.
     */
    static void prepareTorchThread(int threads) {
        TorchThread.prepare();
        JniUtils.setNumThreads(threads);
    }

    /**
     * The dropout seed of a round: a function of (job seed, round) alone, so a redone item draws the
     * same masks, and every device of a round draws the masks a centralised step on the same batch
     * would (each runs the same forward), so the schedule can change without changing the training.
     */
    static int roundSeed(long seed, int round) {
        long h = seed * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
