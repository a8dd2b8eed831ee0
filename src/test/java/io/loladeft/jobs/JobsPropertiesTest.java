package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The jobs module's one settings record binds as the docs' configuration table says (docs/jobs.md). */
class JobsPropertiesTest {

    @Test
    void withNothingSetEveryRoleAndTheWorkerGetTheDocumentedDefaults() {
        JobsProperties p = bind(new MapPropertySource("none", Map.of()));
        assertThat(p.housekeepingInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.eventsTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(p.driftTolerance()).isEqualTo(0.2);
        assertThat(p.worker())
                .isEqualTo(new JobsProperties.Worker(
                        Duration.ofSeconds(30),
                        Duration.ofMillis(500),
                        5,
                        0,
                        "",
                        Duration.ofSeconds(20),
                        Path.of("./data/models").normalize(),
                        1,
                        true,
                        10));
    }

    @Test
    void theWorkersKeysSitUnderJobsWorker() {
        JobsProperties p = bind(new MapPropertySource(
                "args",
                Map.of(
                        "loladeft.jobs.worker.lease",
                        "7s",
                        "loladeft.jobs.worker.torch-threads",
                        "2",
                        "loladeft.jobs.drift-tolerance",
                        "0.5",
                        "loladeft.jobs.worker.checkpoint-every",
                        "1",
                        // The old prefix binds nothing any more.
                        "loladeft.worker.poll",
                        "1ms")));
        assertThat(p.worker().lease()).isEqualTo(Duration.ofSeconds(7));
        assertThat(p.worker().torchThreads()).isEqualTo(2);
        assertThat(p.worker().poll()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.worker().maxAttempts()).isEqualTo(5);
        assertThat(p.driftTolerance()).isEqualTo(0.5);
        assertThat(p.worker().checkpointEvery()).isEqualTo(1);
    }

    @Test
    void theChartsEnvironmentVariableReachesTheWorker() {
        JobsProperties p = bind(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of("LOLADEFT_JOBS_WORKER_HOST_FLOPS", "1e11", "LOLADEFT_JOBS_WORKER_SHUTDOWN_GRACE", "3s")));
        assertThat(p.worker().hostFlops()).isEqualTo(1e11);
        assertThat(p.worker().shutdownGrace()).isEqualTo(Duration.ofSeconds(3));
    }

    /** Binds as the application does, from this one source (an environment one maps names as Spring's does). */
    private static JobsProperties bind(PropertySource<?> source) {
        return new Binder(ConfigurationPropertySources.from(source))
                .bindOrCreate("loladeft.jobs", JobsProperties.class);
    }
}
