package io.loladeft.jobs;

import io.loladeft.finetune.model.Safetensors;
import io.loladeft.finetune.train.TorchThread;
import io.loladeft.jobs.ItemTraining.Ahead;
import io.loladeft.jobs.ItemTraining.Next;
import io.loladeft.jobs.ItemTraining.Trained;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.Callable;
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

/**
 * The worker loop ({@code loladeft.role} {@code worker} or {@code both}): claim an item, have it trained
 * ({@link ItemTraining}), store the result, and merge the round when it was the last item
 * ({@link RoundCloser}, inside the completion's transaction). This class owns the loop, the claims and
 * their heartbeats, and the hand-over between its two threads. One thread trains; scale by running more
 * worker processes. A second thread stores an item's completion (and merges its round) while the first
 * trains the next item, so PostgreSQL's time is off the round's critical path: the next item of the round,
 * claimed at once, or, when the completion merges a round this worker trained all of, the next round's
 * first item, trained ahead of its claim from the merged state in hand (docs/jobs.md, "The queue and its
 * guarantees").
 */
@Component
@ConditionalOnExpression("'${loladeft.role:both}' != 'api'")
class Worker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final WorkQueue queue;
    private final JobStore store;
    private final JobMetrics metrics;
    private final JobsProperties.Worker props;
    private final double driftTolerance;
    private final Replanning replanning;
    private final String name;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "job-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<WorkQueue.Item> inHand = new AtomicReference<>();
    private Thread thread;
    /** Made on the worker thread once its backbone cache is open; the closer evaluates with it. */
    private ItemTraining training;

    private RoundCloser closer;
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
            training = new ItemTraining(cache, store, metrics, inputs, props, name);
            closer = new RoundCloser(store, metrics, replanning, inputs, training, driftTolerance);
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
                ahead = training.trainAhead(pending.next());
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
                t = training.trainClaimed(item);
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
            boolean inline = !props.overlap() || RoundCloser.evaluates(t.job(), item.round());
            Next next = inline ? null : training.nextAfter(item, t);
            Completion completion =
                    new Completion(claimed, t, training.result(t, item.round()), next, durable(t, item.round()));
            handedOn = true;
            if (inline) {
                apply(completion.call());
            } else {
                pending = new Pending(store(completion), next);
            }
        } catch (RuntimeException e) {
            fail(item, e);
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
        return !t.in().heldPrevious() || round % props.checkpointEvery() == 0 || RoundCloser.evaluates(t.job(), round);
    }

    /** A completion in progress on the store thread, and the item trained ahead meanwhile (or null). */
    private record Pending(Future<Finished> finished, Next next) {}

    /** What a completion came to: null {@code completed} when it failed the job. */
    private record Finished(Completion completion, WorkQueue.Completed completed, Optional<Claimed> claimed) {}

    /**
     * An item's completion: serialising its blocks (when {@code durable}), storing them with its
     * measurements and, when it is the round's last, the merge, in one transaction
     * ({@link WorkQueue#complete}); then, when this worker trains an item ahead of its claim, claiming
     * the next item once that commits.
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
                c = queue.complete(item, updated, store.write(result), (job, done) -> closer.merge(job, done, trained));
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
            } catch (RuntimeException e) {
                try {
                    fail(item, e);
                } catch (RuntimeException x) {
                    log.warn("Job {} could not be failed: {}", item.jobId(), x.toString());
                }
            } finally {
                claimed.beat().cancel(false);
            }
            // The item trained ahead is claimable once this completion commits: the round's next item after a
            // store, the next round's first after a merge.
            WorkQueue.Completion expected = next != null && next.round() == item.round()
                    ? WorkQueue.Completion.STORED
                    : WorkQueue.Completion.MERGED;
            boolean goOn = next != null && c != null && c.completion() == expected && running.get();
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

    /** Ends an item's job as failed: for the reason a {@link JobFailure} gives, else as a training error. */
    private void fail(WorkQueue.Item item, RuntimeException e) {
        if (e instanceof JobFailure f) {
            log.warn("Job {} cannot go on after round {}: {}", item.jobId(), item.round(), f.getMessage());
            store.end(item.jobId(), JobState.FAILED, f.reason(), f.getMessage());
        } else {
            log.warn("Job {} failed in round {} on device {}", item.jobId(), item.round(), item.device(), e);
            store.end(item.jobId(), JobState.FAILED, "TrainingError", message(e));
        }
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
