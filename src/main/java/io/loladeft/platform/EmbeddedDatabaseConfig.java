package io.loladeft.platform;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * A real PostgreSQL for a local {@code ./mvnw spring-boot:run} when nobody configured one.
 *
 * <p>Active only while {@code spring.datasource.url} is unset and {@code loladeft.embedded-db.enabled}
 * is true; the container image and the Helm chart always set a URL, so production never gets here.
 * Data survive restarts under {@code loladeft.embedded-db.data-dir}.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfig.NoDatasourceConfigured.class)
class EmbeddedDatabaseConfig {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfig.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(PlatformProperties properties) throws IOException {
        Path dataDir = properties.embeddedDb().dataDir();
        int port = properties.embeddedDb().port();
        Files.createDirectories(dataDir);
        EmbeddedPostgres.Builder builder =
                EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false);
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres postgres = builder.start();
        // The URL in full: a second process (another worker) joins with it.
        log.warn(
                "No spring.datasource.url configured: started an EMBEDDED PostgreSQL at {} (user and password"
                        + " postgres) with data under {}. Set SPRING_DATASOURCE_URL to use your own database.",
                postgres.getJdbcUrl("postgres", "postgres"),
                dataDir.toAbsolutePath().normalize());
        return postgres;
    }

    @Bean(destroyMethod = "close")
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setPassword("postgres");
        dataSource.setMaximumPoolSize(10);
        return dataSource;
    }

    static final class NoDatasourceConfigured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            var env = context.getEnvironment();
            return !env.containsProperty("spring.datasource.url")
                    && env.getProperty("loladeft.embedded-db.enabled", Boolean.class, true);
        }
    }
}
