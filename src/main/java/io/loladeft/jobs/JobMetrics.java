package io.loladeft.jobs;

import io.micrometer.core.instrument.Counter;
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
 * it), {@code loladeft_jobs_worker_phase_seconds{phase}} (where this process's worker spends an
 * item, see {@link Phase}) and {@code loladeft_jobs_worker_ahead_total{outcome}} (items it trained
 * ahead of their claim, {@code taken} or {@code dropped}). The gauges show the database as of the housekeeper's last pass, so a
 * scrape never queries it.
 */
@Component
class JobMetrics {

    private final Map<JobState, AtomicLong> byState = new EnumMap<>(JobState.class);
    private final AtomicLong queueDepth = new AtomicLong();
    private final Timer roundDuration;
    private final Map<Phase, Timer> phases = new EnumMap<>(Phase.class);
    private final Counter aheadTaken;
    private final Counter aheadDropped;

    /**
     * A worker's time on an item, phase by phase. Apart from the in-memory merge inside {@code MERGE},
     * everything but {@code TRAIN} and {@code EVALUATE} is PostgreSQL traffic the engine's loop does
     * not pay; {@code STORE} and {@code MERGE} mostly overlap the next item's {@code TRAIN}.
     */
    enum Phase {
        /** Claiming the item (an empty poll is not timed). */
        CLAIM,
        /** Reading the job and the round's input state (a worker's cached input costs nothing). */
        READ,
        /** Loading the round's input into the model and training (an item trained ahead of its claim too). */
        TRAIN,
        /**
         * Serialising and storing the item's blocks and measurements, when that does not complete the
         * round; on the store thread, while the worker trains its next item.
         */
        STORE,
        /**
         * Serialising and storing the round's last item, merging, the round's metrics and the next round's
         * items (evaluation excepted); on the store thread unless the round evaluates.
         */
        MERGE,
        /** Evaluating the merged state on dev, when due. */
        EVALUATE,
        /**
         * Training rounds again from the last checkpoint to rebuild a round's input this worker does not hold
         * (after another worker died, or when a second worker joins a job between checkpoints).
         */
        REPLAY
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
        aheadTaken = ahead(registry, "taken");
        aheadDropped = ahead(registry, "dropped");
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

    /**
     * An item trained ahead of its claim: {@code taken} when it was the item claimed, {@code dropped}
     * (training wasted) when the claim brought another.
     */
    void ahead(boolean taken) {
        (taken ? aheadTaken : aheadDropped).increment();
    }

    private static Counter ahead(MeterRegistry registry, String outcome) {
        return Counter.builder("loladeft.jobs.worker.ahead")
                .tag("outcome", outcome)
                .description(
                        "Items this process's worker trained ahead of their claim, by whether the claim brought them")
                .register(registry);
    }

    void roundCompleted(double seconds) {
        roundDuration.record(Duration.ofNanos((long) (seconds * 1e9)));
    }
}
