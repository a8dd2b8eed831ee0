package io.loladeft.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonValue;
import io.loladeft.finetune.blocks.BlockLayout;
import io.loladeft.plans.PlanRequest;
import io.loladeft.registry.BlockConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a job runs, fully resolved when it is submitted (absolute paths, the plan's devices and
 * assignment, every default filled in) and stored as JSON, so a worker needs nothing else.
 * {@code pretrained} names a model the service ships (its weights and tokenizer come from the
 * worker's model cache), else {@code weightsDir} a checkpoint, else the model is seeded.
 * {@code fusedIterationFlops} and each device's {@code iterationFlops} are the cost model's FLOPs of
 * one local iteration of all the devices' blocks together and of the device's own, by which a fused
 * round shares its measured step. The enums are written by their wire names, the API's words, so
 * documents stored before they were enums read back unchanged.
 */
@JsonIgnoreProperties(ignoreUnknown = true) // a stored document: fields of older versions are read past
record JobSettings(
        String task,
        String dataDir,
        String tokenizerDir,
        String weightsDir,
        String pretrained,
        Shape model,
        BlockConfig block,
        int rounds,
        Optimizer optimizer,
        int batchSize,
        int seqLen,
        int localIterations,
        Execution execution,
        double fusedIterationFlops,
        int evalEvery,
        long seed,
        double noisePsdDbmPerHz,
        double predictedRoundLatencySeconds,
        List<DeviceRun> devices,
        PlanRequest.ChannelRequest channel,
        Replan replan,
        List<String> registered,
        double migrationBitsPerParam) {

    /** How a round's devices are run. */
    enum Execution {
        /** Each device's item trained on its own (what jobs stored before fused rounds existed, with none, ran). */
        PER_DEVICE("per-device"),
        /** One item per round trains every device's blocks in one forward and backward pass. */
        FUSED("fused");

        private final String wireName;

        Execution(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        String wireName() {
            return wireName;
        }

        /** The request's word for it (checked by {@link JobRequest}'s pattern). */
        static Execution of(String wireName) {
            return byWireName(values(), Execution::wireName, wireName);
        }
    }

    /** When a job re-plans. */
    enum Replan {
        /** Keep the plan, re-planning only when devices leave (what jobs stored before re-planning existed did). */
        STATIC("static"),
        /** Re-plan every round for its gains and the speeds measured so far. */
        EVERY_ROUND("every-round"),
        /** Keep the schedule until a round drifts from its prediction by more than the tolerance, then re-plan. */
        ON_DRIFT("on-drift");

        private final String wireName;

        Replan(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        String wireName() {
            return wireName;
        }

        /** The request's word for it (checked by {@link JobRequest}'s pattern). */
        static Replan of(String wireName) {
            return byWireName(values(), Replan::wireName, wireName);
        }
    }

    private static <E extends Enum<E>> E byWireName(E[] values, Function<E, String> wire, String wireName) {
        for (E e : values) {
            if (wire.apply(e).equals(wireName)) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "no " + values[0].getDeclaringClass().getSimpleName() + " '" + wireName + "'");
    }

    /** The same job with the given devices: a round's schedule, for the code that runs and merges that round. */
    JobSettings withDevices(List<DeviceRun> roundDevices, double predicted) {
        return new JobSettings(
                task,
                dataDir,
                tokenizerDir,
                weightsDir,
                pretrained,
                model,
                block,
                rounds,
                optimizer,
                batchSize,
                seqLen,
                localIterations,
                execution,
                fusedIterationFlops,
                evalEvery,
                seed,
                noisePsdDbmPerHz,
                predicted,
                roundDevices,
                channel,
                replan,
                registered,
                migrationBitsPerParam);
    }

    /** Whether any round can differ from the plan: a fading channel, a re-planning policy, registered devices. */
    boolean schedulesRounds() {
        return channel != null && !"static".equals(channel.model())
                || replan != Replan.STATIC
                || registered != null && !registered.isEmpty();
    }

    public JobSettings {
        execution = execution == null ? Execution.PER_DEVICE : execution;
        replan = replan == null ? Replan.STATIC : replan;
        devices = devices == null || model == null ? devices : withHead(devices, model.layers());
    }

    /**
     * The devices' blocks with the task head's block ({@link BlockLayout#headBlockOf}, layer L+1) assigned: as planned,
     * or, for plans and jobs from before the head was a block of its own (no device has L+1), with the device that
     * trains layer L, where those plans put it.
     */
    static List<DeviceRun> withHead(List<DeviceRun> devices, int layers) {
        int head = BlockLayout.headBlockOf(layers);
        if (devices.stream().anyMatch(d -> d.layers().contains(head))) {
            return devices;
        }
        List<DeviceRun> out = new ArrayList<>(devices.size());
        for (DeviceRun d : devices) {
            if (d.layers().contains(layers)) {
                List<Integer> blocks = new ArrayList<>(d.layers());
                blocks.add(head);
                d = new DeviceRun(
                        d.name(),
                        List.copyOf(blocks),
                        d.bandwidthHz(),
                        d.computeFlops(),
                        d.txPowerDbm(),
                        d.channelGainDb(),
                        d.predictedLatencySeconds(),
                        d.iterationFlops(),
                        d.migrationBytes());
            }
            out.add(d);
        }
        return out;
    }

    /**
     * The local optimizer and its schedule. Jobs stored before it existed ran SGD at a constant
     * rate: read back, they have none, and {@link #optimizerOrLegacy()} says so.
     */
    record Optimizer(Kind kind, double learningRate, double weightDecay, double warmupFraction, double maxGradNorm) {

        /** The optimizer's kind; {@link Backbones#optimizer} maps it to the engine's. */
        enum Kind {
            SGD("sgd"),
            ADAMW("adamw");

            private final String wireName;

            Kind(String wireName) {
                this.wireName = wireName;
            }

            @JsonValue
            String wireName() {
                return wireName;
            }

            /** The request's word for it (checked by {@link JobRequest}'s pattern). */
            static Kind of(String wireName) {
                return byWireName(values(), Kind::wireName, wireName);
            }
        }
    }

    /** The model's shape (the registry's architecture). Ignored for the shape when weightsDir is set. */
    record Shape(int layers, int hidden, int heads, int intermediate, int vocab, int maxPositions) {}

    /**
     * One involved device: its blocks (layers 1..L, the head's block L+1; the plan's numbers, which the trainer's
     * {@link BlockLayout} shares) and planned bandwidth, and what the emulation needs. In a round's schedule
     * {@code channelGainDb} is the round's gain, and {@code migrationBytes} what the device receives of blocks it
     * did not train the round before (the blocks and their optimizer state).
     */
    record DeviceRun(
            String name,
            List<Integer> layers,
            double bandwidthHz,
            double computeFlops,
            double txPowerDbm,
            double channelGainDb,
            double predictedLatencySeconds,
            double iterationFlops,
            long migrationBytes) {

        DeviceRun(
                String name,
                List<Integer> layers,
                double bandwidthHz,
                double computeFlops,
                double txPowerDbm,
                double channelGainDb,
                double predictedLatencySeconds,
                double iterationFlops) {
            this(
                    name,
                    layers,
                    bandwidthHz,
                    computeFlops,
                    txPowerDbm,
                    channelGainDb,
                    predictedLatencySeconds,
                    iterationFlops,
                    0);
        }
    }

    boolean fused() {
        return execution == Execution.FUSED;
    }

    /** A round's work item as this spec makes it: its device ({@link WorkQueue#ALL_DEVICES} when fused) and blocks. */
    record RoundItem(String device, List<Integer> layers) {}

    /** The round's items in the order they are made, and so claimed: one per device, or one for all when fused. */
    List<RoundItem> items() {
        return fused()
                ? List.of(new RoundItem(WorkQueue.ALL_DEVICES, allLayers()))
                : devices.stream().map(d -> new RoundItem(d.name(), d.layers())).toList();
    }

    /** The devices of {@link #items()}, in order. */
    List<String> itemDevices() {
        return items().stream().map(RoundItem::device).toList();
    }

    /** All the blocks the round's devices train (the head's included), in order: what a fused round trains. */
    List<Integer> allLayers() {
        return devices.stream().flatMap(d -> d.layers().stream()).sorted().toList();
    }

    Optimizer optimizerOrLegacy() {
        return optimizer != null ? optimizer : new Optimizer(Optimizer.Kind.SGD, 1e-3, 0, 0, 0);
    }

    DeviceRun device(String name) {
        return devices.stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("job has no device " + name));
    }
}
