package io.loladeft.support;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Points every Spring test context at {@link TestDatabase}, so no test class repeats the wiring and
 * slice tests ({@code @DataJpaTest}) use the same real PostgreSQL instead of replacing it.
 */
public class TestDatabaseEnvironment implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty("spring.datasource.url")) {
            return; // a test that brings its own database keeps it
        }
        TestDatabase.Connection db = TestDatabase.get();
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        "testDatabase",
                        Map.of(
                                "spring.datasource.url", db.url(),
                                "spring.datasource.username", db.username(),
                                "spring.datasource.password", db.password(),
                                "spring.test.database.replace", "none")));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
