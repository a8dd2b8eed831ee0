package io.loladeft.jobs;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Prometheus metrics of the job system, none labelled per job: {@code loladeft_jobs{state}} (jobs
 * by state), {@code loladeft_jobs_queue_depth} (items waiting for a worker) and
 * {@code loladeft_jobs_round_duration_seconds} (first claim to merge, as the merging worker saw
 * it) and {@code loladeft_jobs_worker_phase_seconds{phase}} (where this process's worker spends an
 * item, see {@link Phase}). The gauges show the database as of the housekeeper's last pass, so a
 * scrape never queries it.
 */
@Component
class JobMetrics {

    private final Map<JobState, AtomicLong> byState = new EnumMap<>(JobState.class);
    private final AtomicLong queueDepth = new AtomicLong();
    private final Timer roundDuration;
    private final Map<Phase, Timer> phases = new EnumMap<>(Phase.class);

    /**
     * A worker's time on an item, phase by phase. Apart from the in-memory merge inside {@code MERGE},
     * everything but {@code TRAIN} and {@code EVALUATE} is PostgreSQL traffic the engine's loop does
     * not pay.
     */
    enum Phase {
        /** Claiming the item (an empty poll is not timed). */
        CLAIM,
        /** Reading the job and the round's input state (a worker's cached input costs nothing). */
        READ,
        /** Loading the round's input into the model, training, serialising the updated blocks. */
        TRAIN,
        /** Storing the item's blocks and measurements, when that does not complete the round. */
        STORE,
        /** Storing the round's last item, merging, writing the next round's state (evaluation excepted). */
        MERGE,
        /** Evaluating the merged state on dev, when due. */
        EVALUATE
    }

    JobMetrics(MeterRegistry registry) {
        for (JobState s : JobState.values()) {
            AtomicLong v = new AtomicLong();
            byState.put(s, v);
            Gauge.builder("loladeft.jobs", v, AtomicLong::get)
                    .tag("state", s.name())
                    .description("Jobs by state")
                    .register(registry);
        }
        Gauge.builder("loladeft.jobs.queue.depth", queueDepth, AtomicLong::get)
                .description("Work items waiting for a worker (queued, or with an expired lease)")
                .register(registry);
        roundDuration = Timer.builder("loladeft.jobs.round.duration")
                .description("Wall time of a round, from its start to its merge")
                .register(registry);
        for (Phase p : Phase.values()) {
            phases.put(
                    p,
                    Timer.builder("loladeft.jobs.worker.phase")
                            .tag("phase", p.name().toLowerCase(Locale.ROOT))
                            .description("Time this process's worker spent in each phase of its items")
                            .register(registry));
        }
    }

    void refresh(Map<JobState, Long> counts, long depth) {
        counts.forEach((s, n) -> byState.get(s).set(n));
        queueDepth.set(depth);
    }

    void phase(Phase phase, long nanos) {
        phases.get(phase).record(nanos, TimeUnit.NANOSECONDS);
    }

    void roundCompleted(double seconds) {
        roundDuration.record(Duration.ofNanos((long) (seconds * 1e9)));
    }
}
