package io.loladeft.jobs;

import io.loladeft.plans.PlanRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A job as the API shows it. */
public record JobView(
        UUID id,
        UUID planId,
        String task,
        JobState state,
        List<Condition> conditions,
        Progress progress,
        Settings settings,
        List<DeviceStatus> devices,
        List<RoundMetrics> rounds,
        Result result,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant deadlineAt) {

    /** Kubernetes-style: {@code Accepted}, {@code Running}, then {@code Complete}, {@code Failed} or {@code Cancelled}. */
    public record Condition(String type, String status, String reason, String message, Instant lastTransitionTime) {}

    /** Rounds merged so far out of all, and the same as a percentage. */
    public record Progress(int round, int rounds, double percent) {}

    /** The settings the job runs with, defaults filled in; {@code learningRate} is the peak of the schedule. */
    public record Settings(
            int rounds,
            double learningRate,
            int batchSize,
            int seqLen,
            int localIterations,
            int evalEvery,
            long seed,
            String optimizer,
            double weightDecay,
            double warmupFraction,
            double maxGradNorm,
            String pretrained,
            String execution,

            @Schema(description = "static, every-round or on-drift")
            String replan,

            @Schema(description = "The channel the emulation runs under")
            PlanRequest.ChannelRequest channel) {}

    /** A device's item in the current round (or the last one). */
    public record DeviceStatus(
            String device,
            List<Integer> layers,
            double bandwidthHz,
            int round,
            String state,
            int attempts,
            String worker) {}

    /**
     * One merged round: training loss, dev metrics when evaluated, each device's measured and
     * emulated times, and the plan's prediction.
     */
    public record RoundMetrics(
            int round,
            double trainingLoss,
            Map<String, Double> devMetrics,
            List<DeviceRound> devices,
            double emulatedRoundLatencySeconds,
            double predictedRoundLatencySeconds,
            double wallSeconds,
            Instant completedAt,

            @Schema(
                    description = "Whether this round's schedule was re-planned"
                            + " (the policy, a drift, or devices that left)")
            Boolean replanned,

            @Schema(
                    description = "Whether emulated and predicted round latency"
                            + " differ by more than loladeft.jobs.drift-tolerance")
            Boolean planDrift) {}

    /**
     * One device in one round. Emulated compute is the measured compute scaled by the worker's
     * FLOP/s over the device's; emulated upload is the uploaded bytes at the planned bandwidth.
     */
    public record DeviceRound(
            String device,
            double computeSeconds,
            double hostFlops,
            long uploadBytes,
            double emulatedComputeSeconds,
            double emulatedUploadSeconds,
            double emulatedLatencySeconds,
            double predictedLatencySeconds,
            int attempts,
            String worker,

            @Schema(description = "The device's uplink gain this round (dB): its" + " mean, or the round's fading draw")
            Double channelGainDb,

            @Schema(
                    description = "Seconds of receiving blocks that moved to it this"
                            + " round (with their optimizer state), part of emulatedUploadSeconds")
            Double emulatedMigrationSeconds) {}

    /** Final dev metrics by their GLUE names, and where the fine-tuned blocks are. */
    public record Result(Map<String, Double> metrics, String blocks, long blocksBytes, String blocksSha256) {}
}
