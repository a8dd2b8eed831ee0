package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import org.junit.jupiter.api.Test;

/** What Kubernetes and Prometheus read: probes (readiness includes the database) and metrics. */
class OperationsTest extends ApiTest {

    @Test
    void probesAnswerOnTheirKubernetesPaths() {
        assertThat(http.get("/livez").status()).isEqualTo(200);
        var ready = http.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        var readiness = http.get("/actuator/health/readiness");
        assertThat(readiness.json().path("status").asString()).isEqualTo("UP");
        assertThat(readiness.json().path("components").has("db")).as(readiness.body()).isTrue();
    }

    @Test
    void prometheusMetricsAreExposed() {
        var metrics = http.get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes", "hikaricp_connections");
    }
}
