package io.loladeft.jobs;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * In every role: fails jobs past their deadline (and so withdraws their items) and refreshes the
 * gauges. Idempotent, so any number of replicas may run it at once.
 */
@Component
class Housekeeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);

    private final JobStore store;
    private final JobMetrics metrics;
    private final Duration interval;
    private ScheduledExecutorService executor;

    Housekeeper(JobStore store, JobMetrics metrics, JobsProperties props) {
        this.store = store;
        this.metrics = metrics;
        this.interval = props.housekeepingInterval();
    }

    void pass() {
        for (UUID id : store.overdue()) {
            if (store.end(id, JobState.FAILED, "DeadlineExceeded", "the job did not finish before its deadline")) {
                log.info("Job {} failed: deadline exceeded", id);
            }
        }
        metrics.refresh(store.countsByState(), store.queueDepth());
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "job-housekeeper");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        pass();
                    } catch (RuntimeException e) {
                        log.warn("Job housekeeping failed: {}", e.toString());
                    }
                },
                0,
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
