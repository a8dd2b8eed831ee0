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
        @Schema(description = "The latest measured channel gain, if the device reported one") ChannelReport channel,
        Instant createdAt,
        Instant updatedAt,
        long version) {}
