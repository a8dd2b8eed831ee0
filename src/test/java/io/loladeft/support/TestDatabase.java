package io.loladeft.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one PostgreSQL every database test in this JVM uses, chosen once in this order:
 * {@code TEST_DB_URL} (with {@code TEST_DB_USER}/{@code TEST_DB_PASSWORD}) if set, Testcontainers
 * if a Docker engine answers, else an embedded PostgreSQL. If none can be had the tests fail:
 * a database test never skips silently.
 */
public final class TestDatabase {

    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);
    private static Connection instance;

    public record Connection(String url, String username, String password, String source) {}

    private TestDatabase() {}

    public static synchronized Connection get() {
        if (instance == null) {
            instance = start();
            log.info("Tests use PostgreSQL from {}: {}", instance.source(), instance.url());
        }
        return instance;
    }

    private static Connection start() {
        String url = System.getenv("TEST_DB_URL");
        if (url != null && !url.isBlank()) {
            return new Connection(
                    url, env("TEST_DB_USER", "postgres"), env("TEST_DB_PASSWORD", "postgres"), "TEST_DB_URL");
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            return new Connection(
                    container.getJdbcUrl(), container.getUsername(), container.getPassword(), "Testcontainers");
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is exiting; the temporary cluster goes with it
                }
            }));
            return new Connection(
                    postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres", "embedded PostgreSQL");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "No PostgreSQL for tests: TEST_DB_URL unset, no Docker, and the"
                            + " embedded PostgreSQL failed to start",
                    e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
