package io.loladeft.jobs;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Prometheus metrics of the job system, none labelled per job: {@code loladeft_jobs{state}} (jobs
 * by state), {@code loladeft_jobs_queue_depth} (items waiting for a worker) and
 * {@code loladeft_jobs_round_duration_seconds} (first claim to merge, as the merging worker saw
 * it). The gauges show the database as of the housekeeper's last pass, so a scrape never queries it.
 */
@Component
class JobMetrics {

    private final Map<JobState, AtomicLong> byState = new EnumMap<>(JobState.class);
    private final AtomicLong queueDepth = new AtomicLong();
    private final Timer roundDuration;

    JobMetrics(MeterRegistry registry) {
        for (JobState s : JobState.values()) {
            AtomicLong v = new AtomicLong();
            byState.put(s, v);
            Gauge.builder("loladeft.jobs", v, AtomicLong::get).tag("state", s.name())
                    .description("Jobs by state").register(registry);
        }
        Gauge.builder("loladeft.jobs.queue.depth", queueDepth, AtomicLong::get)
                .description("Work items waiting for a worker (queued, or with an expired lease)").register(registry);
        roundDuration = Timer.builder("loladeft.jobs.round.duration")
                .description("Wall time of a round, from its start to its merge").register(registry);
    }

    void refresh(Map<JobState, Long> counts, long depth) {
        counts.forEach((s, n) -> byState.get(s).set(n));
        queueDepth.set(depth);
    }

    void roundCompleted(double seconds) {
        roundDuration.record(Duration.ofNanos((long) (seconds * 1e9)));
    }
}
