package io.loladeft.jobs;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent events of a job, read from the event table: each open stream polls it for events
 * after the last one sent, so any API replica serves any stream and a client resumes with
 * {@code Last-Event-ID}. No request thread is held while waiting.
 */
@Component
class JobEvents implements DisposableBean {

    private final JobService jobs;
    private final long pollMillis;
    private final long timeoutMillis;
    private final ScheduledExecutorService poller = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "job-events");
        t.setDaemon(true);
        return t;
    });

    JobEvents(JobService jobs, JobsProperties props) {
        this.jobs = jobs;
        this.pollMillis = props.eventsPoll().toMillis();
        this.timeoutMillis = props.eventsTimeout().toMillis();
    }

    SseEmitter stream(UUID id, long after) {
        SseEmitter emitter = new SseEmitter(timeoutMillis);
        AtomicLong last = new AtomicLong(after);
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        Runnable stop = () -> {
            ScheduledFuture<?> f = task.get();
            if (f != null) {
                f.cancel(false);
            }
        };
        emitter.onCompletion(stop);
        emitter.onTimeout(stop);
        emitter.onError(e -> stop.run());
        task.set(poller.scheduleWithFixedDelay(
                () -> {
                    try {
                        JobService.Events batch = jobs.events(id, last.get());
                        for (JobStore.Event e : batch.events()) {
                            emitter.send(SseEmitter.event()
                                    .id(Long.toString(e.seq()))
                                    .name(e.type())
                                    .data(e.data(), MediaType.APPLICATION_JSON));
                            last.set(e.seq());
                        }
                        if (batch.finished() && batch.events().size() < 500) {
                            stop.run();
                            emitter.complete();
                        }
                    } catch (IOException | IllegalStateException e) {
                        // The client went away (or the emitter is done): stop polling for it.
                        stop.run();
                        emitter.completeWithError(e);
                    } catch (RuntimeException e) {
                        stop.run();
                        emitter.completeWithError(e);
                    }
                },
                0,
                pollMillis,
                TimeUnit.MILLISECONDS));
        return emitter;
    }

    @Override
    public void destroy() {
        poller.shutdownNow();
    }
}
