package io.loladeft.registry;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;

/**
 * An uplink channel gain a device measured, and when. Plans use the freshest report within
 * {@code loladeft.planning.channel-report-max-age} instead of the device's mean {@code channelGainDb}.
 */
@Schema(description = "A measured uplink channel power gain and when it was measured")
public record ChannelReport(
        @Schema(description = "Measured uplink channel power gain in dB", example = "-93.5")
        @NotNull
        @DecimalMin("-300")
        @DecimalMax("100")
        Double gainDb,

        @Schema(description = "When it was measured (RFC 3339); not in the future", example = "2026-11-30T12:00:00Z")
        @NotNull
        Instant measuredAt) {}
