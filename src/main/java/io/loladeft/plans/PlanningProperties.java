package io.loladeft.plans;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Planning settings ({@code loladeft.planning.*}).
 *
 * @param channelReportMaxAge how long a device's reported channel gain stands in for its mean gain in plans; a
 *                            report older than this is ignored (the channel has faded since), so the plan uses the
 *                            registered mean {@code channelGainDb}
 */
@ConfigurationProperties("loladeft.planning")
public record PlanningProperties(@DefaultValue("30s") Duration channelReportMaxAge) {}
