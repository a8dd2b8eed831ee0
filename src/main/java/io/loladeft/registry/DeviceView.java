package io.loladeft.registry;

import io.loladeft.common.MeasuredProfile;
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
        Instant createdAt,
        Instant updatedAt,
        long version) {}
