package io.loladeft.jobs;

import ai.djl.engine.Engine;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.profile.HostCalibration;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.Evaluator;
import io.loladeft.jobs.RoundInputs.Hand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker trains, on its one PyTorch thread: a claimed item from its round's input (in hand, read, or
 * rebuilt from a checkpoint by training rounds again), the next round's first item ahead of its claim, the dev
 * evaluation of a merged state; and what a trained item reports. Training is a function of the input and
 * (seed, round) only, which is what the head start, recovery and replay all rest on.
 */
final class ItemTraining {

    private static final Logger log = LoggerFactory.getLogger(ItemTraining.class);

    /**
     * DJL's random seed (dropout) is process-wide: training and its seeding happen under this lock,
     * so an item's dropout masks depend only on (seed, round), never on other threads.
     */
    private static final Object ENGINE = new Object();

    private final Backbones backbones;
    private final JobStore store;
    private final JobMetrics metrics;
    private final RoundInputs inputs;
    private final JobsProperties.Worker props;
    private final String name;
    private double hostFlops;

    ItemTraining(
            Backbones backbones,
            JobStore store,
            JobMetrics metrics,
            RoundInputs inputs,
            JobsProperties.Worker props,
            String name) {
        this.backbones = backbones;
        this.store = store;
        this.metrics = metrics;
        this.inputs = inputs;
        this.props = props;
        this.name = name;
    }

    /** Reads what a claimed item needs and trains it; null when its round was merged without it. */
    Trained trainClaimed(WorkQueue.Item item) {
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
    record Trained(JobStore.JobRow job, Hand in, Backbones.Backbone backbone, DeviceTrainer.Trained trained) {

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
        List<Map<String, HostTensor>> parts = new ArrayList<>();
        for (JobSettings.RoundItem i : roundSpec(job, round).items()) {
            parts.add(fit(job.spec(), round, i.layers(), input, backbone, data).blocks());
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
    ItemResult result(Trained t, int round) {
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
        return store.roundSpec(job.id(), job.spec(), round);
    }

    /**
     * The item this worker trains next, ahead of its claim, or null. When completing {@code item} merges its
     * round as far as this worker can tell (it trained every item of the round: the fused round's one item, or
     * every device's), it holds the next round's input, and the next item is the next round's first as this
     * round's schedule has it (the merge decides the next round's: if that moves blocks, the item trained ahead
     * is not the one claimed, and is dropped). Otherwise, when this worker holds the job's rounds whole (it
     * trained and merged the previous round alone: as far as it can tell, the only worker on the job), it is
     * the round's next device's item, from the same input; with other workers on the job that item is likely
     * theirs, and training it ahead would be wasted.
     */
    Next nextAfter(WorkQueue.Item item, Trained t) {
        List<JobSettings.RoundItem> items = roundSpec(t.job(), item.round()).items();
        List<String> devices = items.stream().map(JobSettings.RoundItem::device).toList();
        Optional<JobSettings.RoundItem> open = items.stream()
                .filter(i -> !t.in().produced().containsKey(i.device()))
                .findFirst();
        if (open.isPresent()) {
            return t.in().heldPrevious()
                    ? new Next(t.job(), t.in(), devices, item.round(), open.get(), t.backbone())
                    : null;
        }
        return item.round() < t.job().rounds()
                ? new Next(t.job(), t.in(), devices, item.round() + 1, items.get(0), t.backbone())
                : null;
    }

    /**
     * The item this worker expects to claim next (the round's next device's, or the next round's first),
     * trained ahead while the previous one is stored.
     */
    record Next(
            JobStore.JobRow job,
            Hand previous,
            List<String> previousDevices,
            int round,
            JobSettings.RoundItem item,
            Backbones.Backbone backbone) {}

    /** An item trained ahead of its claim, from the input in hand or the next round's this worker made itself. */
    record Ahead(Next next, Map<String, HostTensor> state, Trained trained) {

        /**
         * This result, if {@code item} is the one it was trained for and the input in hand (after a merge, the one
         * the merge gave) is the one it was trained from (the same tensors); else null, and the item is trained as
         * claimed.
         */
        Trained takenBy(WorkQueue.Item item, Hand hand) {
            boolean same = item.jobId().equals(next.job().id())
                    && item.round() == next.round()
                    && item.device().equals(next.item().device())
                    && item.layers().equals(next.item().layers())
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
     * Trains the next item while the store thread stores this one (and merges its round): the round's next
     * device's from the same input in hand, or the next round's first from the union of the round's items'
     * blocks, all in hand (what the merge will make of them, tensor for tensor); its mini-batches, dropout
     * and learning rate depend on (seed, round) only. Nothing is stored until the item is claimed, after the
     * completion commits.
     */
    Ahead trainAhead(Next next) {
        Hand previous = next.previous();
        Hand in = previous;
        if (next.round() != previous.round()) {
            Map<String, HostTensor> state = RoundMerge.next(
                    previous.state(),
                    next.previousDevices().stream()
                            .map(d -> previous.produced().get(d))
                            .toList());
            in = new Hand(next.job().id(), next.round(), state, new ConcurrentHashMap<>(), true);
        }
        Trained t = train(
                next.job(),
                next.round(),
                next.item().device(),
                next.item().layers(),
                in,
                next.backbone(),
                backbones.data(next.job().spec()));
        return new Ahead(next, in.state(), t);
    }

    /** The dev metrics of a merged state, on this worker's PyTorch thread (a completion that evaluates runs on it). */
    Map<String, Double> evaluate(JobSettings spec, Backbones.Backbone backbone, Map<String, HostTensor> blocks) {
        Backbones.Data data = backbones.data(spec);
        synchronized (ENGINE) {
            backbone.held().configure(Backbones.optimizer(spec));
            backbone.held().hold(blocks);
            return Evaluator.evaluate(backbone.trainer().model(), GlueTask.parse(spec.task()), data.dev(), 64);
        }
    }

    /** This host's FLOP/s for the emulation: the setting, else measured once. */
    private double hostFlops() {
        if (hostFlops <= 0) {
            hostFlops = props.hostFlops() > 0 ? props.hostFlops() : HostCalibration.gemmFlops();
            log.info("Job worker {}: host FLOP/s {}", name, hostFlops);
        }
        return hostFlops;
    }
}
