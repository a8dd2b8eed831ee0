package io.loladeft.plans;

import io.loladeft.common.MeasuredProfile;
import io.loladeft.registry.ModelRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A fleet to plan for. Devices come inline ({@code devices}), from the registry by name
 * ({@code deviceNames}) or by label ({@code labelSelector}): exactly one of the three. The model
 * is registered ({@code {"name": "roberta-base"}}) or inline (the registry's model body).
 *
 * <p>Bean Validation here catches only malformed input (400). Whether the numbers make a solvable
 * problem (positive capacities, monotone profiles, enough devices) is the planning core's call,
 * answered with 422.
 */
@Schema(description = "A fleet, a model and a budget to plan one fine-tuning round for")
public record PlanRequest(
        @Schema(
                description = "joint (default; jbba is an alias), dual-ascent, crunch, exact, equal-bandwidth,"
                        + " depth-unaware, offload, random",
                example = "joint")
        String algorithm,

        @Schema(description = "Total uplink bandwidth B in Hz", example = "2.0e7") @NotNull
        Double bandwidthHz,

        @Schema(description = "Noise power spectral density, default -174 dBm/Hz")
        Double noisePsdDbmPerHz,

        @Schema(description = "The fleet inline; or give deviceNames or labelSelector (an empty list counts as absent)")
        List<@NotNull @Valid InlineDevice> devices,

        @Schema(
                description =
                        "Registered devices by name; or give devices or labelSelector (an empty list counts as absent)")
        List<@NotBlank String> deviceNames,

        @Schema(description = "Plan for every registered device this selects, e.g. zone=lab-a") @Size(max = 1024)
        String labelSelector,

        @NotNull @Valid ModelRequest model,

        @Schema(
                description = "Explicit blocks; default (also when empty) one block per layer of the model's block kind"
                        + " and the task head's block at layer L+1")
        List<@NotNull @Valid BlockRequest> blocks,

        @Valid TrainingRequest training,

        @Schema(description = "Most blocks one device trains per round, default 1") @Min(1) @Max(1024)
        Integer maxBlocksPerDevice,

        @Schema(description = "Seed of the random baseline, default 0")
        Long seed,

        @Schema(
                description = "mean (default): plan on each device's gain as given (or its fresh reported gain);"
                        + " quantile: plan for the gains fading around them under `channel`; the plan's round latency is"
                        + " then the latency the round keeps with probability 1 - outageProbability (its exact quantile),"
                        + " made as small as the search finds",
                example = "mean")
        String objective,

        @Schema(
                description = "For objective quantile: the probability epsilon that the round takes longer than the"
                        + " planned latency, within (0, 1); default 0.1",
                example = "0.1")
        @DecimalMin(value = "0", inclusive = false)
        @DecimalMax(value = "1", inclusive = false)
        Double outageProbability,

        @Schema(description = "For objective quantile: the fading model around each device's gain; default rayleigh")
        @Valid
        ChannelRequest channel) {

    /** The two planning objectives on the wire. */
    public static final String MEAN = "mean";

    public static final String QUANTILE = "quantile";

    /**
     * How the uplink gain fades around each device's mean {@code channelGainDb}.
     *
     * @param model           static, rayleigh (default) or rician
     * @param coherenceRounds rounds one fading draw lasts, default 1
     * @param kFactor         rician only: line-of-sight over scattered power, 0..100, default 0 (rayleigh)
     */
    @Schema(description = "Block fading of the uplink power gain around each device's mean channelGainDb")
    public record ChannelRequest(
            @Schema(description = "static, rayleigh (default) or rician", example = "rayleigh")
            String model,

            @Schema(description = "Rounds one draw lasts, default 1", example = "1") @Min(1) @Max(1_000_000)
            Integer coherenceRounds,

            @Schema(description = "Rician K-factor (line-of-sight over scattered power), 0..100, default 0")
            @DecimalMin("0")
            @DecimalMax("100")
            Double kFactor) {}

    /**
     * One device given inline. {@code bandwidthHz} fixes its share for {@code crunch}. {@code effectiveFlops}, when
     * set, is the speed the planner computes with instead of {@code computeFlops} (a registered device's calibration
     * from measured rounds); a job emulates the device at {@code computeFlops}, the device it stands for.
     */
    public record InlineDevice(
            @NotBlank @Size(max = 253) String name,
            @NotNull Double computeFlops,
            @NotNull Double memoryBytes,
            @NotNull Double txPowerDbm,
            @NotNull Double channelGainDb,
            MeasuredProfile profile,
            Double bandwidthHz,

            @Schema(
                    description = "Measured FLOP/s the planner uses instead of computeFlops (a registered device's"
                            + " calibration); default computeFlops")
            @Positive
            Double effectiveFlops) {

        /** The speed the planner computes with. */
        public double planningFlops() {
            return effectiveFlops != null ? effectiveFlops : computeFlops;
        }
    }

    /** A parameter block attached at {@code layer} (1 = next to the input) with {@code params} trainable parameters. */
    public record BlockRequest(
            @NotNull Integer layer, @NotNull Long params) {}

    /** Training settings; every field is optional. */
    public record TrainingRequest(
            @Schema(example = "16") @Min(1) @Max(1_000_000) Integer batchSize,
            @Schema(example = "128") @Min(1) @Max(1_000_000) Integer seqLen,
            @Schema(example = "1") @Min(1) @Max(1_000_000) Integer localIterations,

            @Schema(example = "100") @Min(1) @Max(100_000_000)
            Integer rounds,

            @Schema(example = "32") @Min(1) @Max(64) Integer bitsPerParam) {}
}
