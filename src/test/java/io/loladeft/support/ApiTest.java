package io.loladeft.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the full-stack tests: the whole application on a random port, a real PostgreSQL
 * ({@link TestDatabase}) and real HTTP. Subclasses share one cached application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ApiTest {

    @LocalServerPort
    int port;

    protected Http http;

    @BeforeEach
    void connect() {
        http = new Http(port);
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
