package io.loladeft.registry;

import io.loladeft.common.MeasuredProfile;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;

/** A registered device as the API shows it. */
public record DeviceView(
        String name,
        double computeFlops,
        double memoryBytes,
        double txPowerDbm,
        double channelGainDb,
        Map<String, String> labels,
        MeasuredProfile profile,

        @Schema(description = "The latest measured channel gain, if the device reported one")
        ChannelReport channel,

        @Schema(
                description = "Taken out of service: no new plan uses it, and running jobs leave it out from their"
                        + " next round")
        boolean unschedulable,

        @Schema(description = "The speed jobs measured, once a round has completed on the device")
        Calibration calibration,

        Instant createdAt,
        Instant updatedAt,
        long version) {}
