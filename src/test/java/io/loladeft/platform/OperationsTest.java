package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import org.junit.jupiter.api.Test;

/** What Kubernetes and Prometheus read: probes (readiness includes the database) and metrics. */
class OperationsTest extends ApiTest {

    @Test
    void probesAnswerOnTheirKubernetesPaths() {
        assertThat(http.get("/livez").status()).isEqualTo(200);
        var ready = http.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        var readiness = new Http(managementPort).get("/actuator/health/readiness");
        assertThat(readiness.json().path("status").asString()).isEqualTo("UP");
        assertThat(readiness.json().path("components").has("db"))
                .as(readiness.body())
                .isTrue();
    }

    @Test
    void actuatorIsNotOnTheApiPort() {
        assertThat(http.get("/actuator/prometheus").status()).isIn(401, 403, 404);
    }

    @Test
    void prometheusMetricsAreOnTheManagementPortOnly() {
        var metrics = new Http(managementPort).get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes", "hikaricp_connections");
    }
}
