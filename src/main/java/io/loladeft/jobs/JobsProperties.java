package io.loladeft.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The job system's settings in every role ({@code loladeft.jobs.*}); the worker's are
 * {@link WorkerProperties}.
 *
 * @param housekeepingInterval how often deadlines are checked and the gauges refreshed
 * @param eventsPoll           how often an open event stream looks for new events
 * @param eventsTimeout        how long one event stream stays open (a client resumes with Last-Event-ID)
 * @param driftTolerance       a round drifts (the {@code PlanDrift} condition; {@code replan: on-drift} re-plans)
 *                             when its emulated latency differs from its prediction by more than this fraction
 */
@ConfigurationProperties("loladeft.jobs")
record JobsProperties(
        @DefaultValue("2s") Duration housekeepingInterval,
        @DefaultValue("500ms") Duration eventsPoll,
        @DefaultValue("30m") Duration eventsTimeout,
        @DefaultValue("0.2") double driftTolerance) {}
