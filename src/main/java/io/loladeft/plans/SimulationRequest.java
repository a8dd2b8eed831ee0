package io.loladeft.plans;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A fleet to simulate under a fading channel: the plan request it would be planned from (its objective must be
 * mean: the policies say how to plan), the channel, how many rounds, the seed of the draws and the policies to
 * compare on the same draws. Registered devices fade around their mean {@code channelGainDb}; reported gains are
 * not used here.
 */
@Schema(description = "Policies for planning under a fading channel, compared on the same seeded draws")
public record SimulationRequest(
        @Schema(
                description = "The plan request (devices, model, bandwidth, training, algorithm every policy plans"
                        + " with)")
        @NotNull
        @Valid
        PlanRequest plan,

        @Schema(description = "The fading model; default rayleigh with a coherence of 1 round") @Valid
        PlanRequest.ChannelRequest channel,

        @Schema(
                description = "Rounds to simulate; rounds x devices is capped by"
                        + " loladeft.limits.max-simulated-device-rounds",
                example = "100")
        @NotNull
        @Min(1)
        @Max(1_000_000)
        Integer rounds,

        @Schema(description = "Seed of the fading draws, default 0: the same seed, the same gains", example = "42")
        Long seed,

        @Schema(
                description = "Any of static (plan once on the mean gains), robust (plan once for the fading channel,"
                        + " promising the latency the round keeps with probability 1 - outageProbability),"
                        + " adaptive (re-plan every round on its gains); default all three",
                example = "[\"static\", \"robust\", \"adaptive\"]")
        @Size(max = 3)
        List<@NotBlank String> policies,

        @Schema(
                description = "robust's epsilon: the round exceeds its planned latency with this probability;"
                        + " within (0, 1), default 0.1",
                example = "0.1")
        @DecimalMin(value = "0", inclusive = false)
        @DecimalMax(value = "1", inclusive = false)
        Double outageProbability) {}
