package io.loladeft.registry;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/**
 * What jobs measured of a device: the speed its completed rounds ran at, which plans use instead of the declared
 * {@code computeFlops} (a job still emulates the device at the declared speed: that is the device it stands for).
 */
@Schema(
        description = "The device's speed as measured by the rounds jobs ran on it; plans use it instead of"
                + " computeFlops")
public record Calibration(
        @Schema(
                description = "Effective FLOP/s: the cost model's FLOPs of the device's rounds over their measured"
                        + " (emulated) compute seconds, smoothed over rounds",
                example = "1.6e12")
        double effectiveFlops,

        @Schema(description = "Completed rounds it rests on", example = "40")
        long rounds,

        @Schema(description = "When the last round updated it")
        Instant updatedAt) {}
