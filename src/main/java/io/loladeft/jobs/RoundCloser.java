package io.loladeft.jobs;

import io.loladeft.common.Digests;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import io.loladeft.jobs.RoundInputs.Hand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;

/**
 * Closes a complete round inside the transaction of its last item's completion ({@link WorkQueue.Merger}):
 * gathers the round's items (this worker's blocks from its hand, the others' read), merges them
 * ({@link RoundMerge}, the pure part), evaluates when due, and returns the round's metrics, its next
 * schedule and, after the last round, the result. Nothing here is kept between calls: what the worker
 * holds afterwards comes back in the {@link WorkQueue.Merged} it returns.
 */
final class RoundCloser {

    private final JobStore store;
    private final JobMetrics metrics;
    private final Replanning replanning;
    private final RoundInputs inputs;
    private final ItemTraining training;
    private final double driftTolerance;

    RoundCloser(
            JobStore store,
            JobMetrics metrics,
            Replanning replanning,
            RoundInputs inputs,
            ItemTraining training,
            double driftTolerance) {
        this.store = store;
        this.metrics = metrics;
        this.replanning = replanning;
        this.inputs = inputs;
        this.training = training;
        this.driftTolerance = driftTolerance;
    }

    /**
     * Merges a complete round inside the completing transaction ({@link WorkQueue.Merger}): the
     * round's input is in hand (this worker trained the round's last item on it), and so are the
     * blocks of its own items; the others' are read (another worker's kept in hand between checkpoints
     * are not there: the merge then makes no state, and the next round's input is rebuilt where
     * needed). The merge itself is {@link RoundMerge}; then the dev evaluation when due, and the
     * round's metrics. Only the last round's state is serialised.
     */
    WorkQueue.Merged merge(JobStore.JobRow job, List<WorkQueue.Done> done, ItemTraining.Trained last) {
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
            dev = training.evaluate(spec, backbone, merged.blocks());
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
    static boolean evaluates(JobStore.JobRow job, int round) {
        return round == job.rounds()
                || (job.spec().evalEvery() > 0 && round % job.spec().evalEvery() == 0);
    }
}
