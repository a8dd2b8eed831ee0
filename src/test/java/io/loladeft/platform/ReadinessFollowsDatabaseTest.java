package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.LolaDeftApplication;
import io.loladeft.support.Http;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Readiness is the database's: with its own PostgreSQL stopped, the service stays alive but stops
 * being ready, so Kubernetes takes it out of the Service instead of restarting it.
 */
class ReadinessFollowsDatabaseTest {

    @Test
    void readyzTurns503WhenTheDatabaseGoesAway() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(LolaDeftApplication.class)
                .run(
                        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                        "--spring.datasource.username=postgres",
                        "--spring.datasource.password=postgres",
                        "--spring.datasource.hikari.connection-timeout=1000",
                        "--server.port=0",
                        "--management.server.port=0",
                        "--loladeft.auth.enabled=true",
                        "--spring.main.banner-mode=off")) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            Http http = new Http(port);
            assertThat(http.get("/readyz").status()).isEqualTo(200);

            postgres.close();
            assertThat(eventually(() -> http.get("/readyz").status() == 503))
                    .as("not ready without a database")
                    .isTrue();
            assertThat(http.get("/livez").status()).as("still alive").isEqualTo(200);
        } finally {
            postgres.close();
        }
    }

    private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(until)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }
}
