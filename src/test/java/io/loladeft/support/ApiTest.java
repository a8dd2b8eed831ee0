package io.loladeft.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the full-stack tests: the whole application on a random port, a real PostgreSQL
 * ({@link TestDatabase}), real HTTP and authentication on ({@link TestAuth}). Subclasses share
 * one cached application context. {@code http} calls as an operator; {@link #as} as someone else.
 * After each test, every exchange it made is checked against the committed contract ({@link SpecConformance}).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "loladeft.auth.enabled=true"})
public abstract class ApiTest {

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    protected Http http;

    @DynamicPropertySource
    static void credentials(DynamicPropertyRegistry registry) {
        registry.add("loladeft.auth.api-keys", TestAuth::apiKeysConfig);
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TestAuth::publicKeyLocation);
    }

    @BeforeEach
    void connect() {
        Exchanges.drain();
        http = new Http(port).withHeader("X-API-Key", TestAuth.OPERATOR_KEY);
    }

    /** Every request this test made and every answer it got must be what openapi/openapi.yaml says. */
    @AfterEach
    void conformsToTheContract() {
        List<String> violations = SpecConformance.violations(Exchanges.drain());
        assertThat(violations)
                .as("exchanges that openapi/openapi.yaml does not allow")
                .isEmpty();
    }

    /** A client that sends this header (e.g. another role's key, or a bearer token) instead. */
    protected Http as(String header, String value) {
        return new Http(port).withHeader(header, value);
    }

    /** A name no other test uses, so tests sharing the database never collide. */
    protected static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    /** Asserts an RFC 9457 problem with this status, and no stack trace or exception name leaked. */
    protected static Http.Response assertProblem(Http.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().path("status").asInt()).isEqualTo(status);
        assertThat(r.body()).doesNotContain("Exception", "at io.", "at org.", "trace");
        return r;
    }
}
