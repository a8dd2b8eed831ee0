package io.loladeft.jobs;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The job system's settings ({@code loladeft.jobs.*}): those of every role here, the worker's in
 * {@link Worker} ({@code loladeft.jobs.worker.*}).
 *
 * @param housekeepingInterval how often deadlines are checked and the gauges refreshed
 * @param eventsPoll           how often an open event stream looks for new events
 * @param eventsTimeout        how long one event stream stays open (a client resumes with Last-Event-ID)
 * @param driftTolerance       a round drifts (the {@code PlanDrift} condition; {@code replan: on-drift} re-plans)
 *                             when its emulated latency differs from its prediction by more than this fraction
 * @param worker               the worker's settings; its defaults when none is given
 */
@ConfigurationProperties("loladeft.jobs")
record JobsProperties(
        @DefaultValue("2s") Duration housekeepingInterval,
        @DefaultValue("500ms") Duration eventsPoll,
        @DefaultValue("30m") Duration eventsTimeout,
        @DefaultValue("0.2") double driftTolerance,
        @DefaultValue Worker worker) {

    /**
     * The worker's settings ({@code loladeft.jobs.worker.*}).
     *
     * @param lease        how long a claim holds without a heartbeat; heartbeats renew it every third of it
     * @param poll         how long an idle worker waits before looking for work again
     * @param maxAttempts  claims of one item before its job fails (a worker that keeps dying on it)
     * @param hostFlops    this host's FLOP/s for the emulation; 0 measures it once at start
     * @param name         the name a worker records on the items it claims; default host and process id
     * @param shutdownGrace on shutdown, how long the worker may go on with the item in hand (heartbeating)
     *                      before it hands the item back to the queue for another worker to redo at once
     * @param modelCache   where pretrained models the service ships are imported on first use
     * @param torchThreads PyTorch intra-op threads of the worker thread: 1 where several worker processes
     *                     share the cores; more where one process has them (a fused round is one item, so
     *                     a job's rounds keep one process busy at a time). One by default: on a 2-core host
     *                     shared with other work an item ran about ten times faster with one than with
     *                     PyTorch's default (150 local iterations of a tiny LoRA model in 1 to 3 s instead of
     *                     40 in 10 to 13 s). The host FLOP/s calibration then measures what trains.
     * @param overlap      store an item's completion on a second thread while the worker trains the next
     *                     item, ahead of its claim across a round's merge (docs/jobs.md, "Off the critical
     *                     path"); false completes each item on the training thread before the next, as
     *                     before, for a host whose cores are too busy to give the store its own
     * @param checkpointEvery how often a worker that holds whole rounds makes a job's blocks durable: it stores
     *                     the blocks of every {@code checkpointEvery}-th round (and of the first, the last and
     *                     every round that evaluates) and, in between, keeps them in hand only; a worker that
     *                     lacks a round's input rebuilds it by training the rounds since the last stored one
     *                     again, bit for bit (docs/jobs.md, "Checkpoints"). 1 stores every round's blocks. A
     *                     worker that shares a round with another stores its items' blocks whatever this says
     */
    record Worker(
            @DefaultValue("30s") Duration lease,
            @DefaultValue("500ms") Duration poll,
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("0") double hostFlops,
            @DefaultValue("") String name,
            @DefaultValue("20s") Duration shutdownGrace,
            @DefaultValue("./data/models") Path modelCache,
            @DefaultValue("1") int torchThreads,
            @DefaultValue("true") boolean overlap,
            @DefaultValue("10") int checkpointEvery) {

        Worker {
            if (checkpointEvery < 1) {
                throw new IllegalArgumentException(
                        "loladeft.jobs.worker.checkpoint-every must be at least 1, was " + checkpointEvery);
            }
        }
    }
}
