package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import io.loladeft.support.TestAuth;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every kind of error, from every place that writes one (a filter, Spring Security, Spring MVC's
 * own exceptions, the service's {@code Problems}, the error page), is an RFC 9457 problem whose
 * {@code type} is {@code about:blank} and which has no null member.
 */
class ProblemDetailsTest extends ApiTest {

    static final String DEVICE = """
            {"name": "%s", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23, "channelGainDb": -90}""";

    @Test
    void everyErrorHasTypeAboutBlankAndNoNullMember() {
        var cases = new ArrayList<Http.Response>();
        cases.add(new Http(port).get("/api/v1/devices")); // 401, Spring Security
        cases.add(as("X-API-Key", "wrong").get("/api/v1/devices")); // 401, the key filter
        cases.add(as("X-API-Key", TestAuth.READER_KEY).post("/api/v1/devices", DEVICE.formatted("x"))); // 403
        cases.add(http.get("/api/v1/devices/" + unique("missing"))); // 404, Problems
        cases.add(http.post("/api/v1/devices", "{\"name\": \"x\", \"computeFlops\": -1}")); // 400, validation
        cases.add(http.post("/api/v1/devices", "{")); // 400, unreadable
        cases.add(http.send(
                "PATCH",
                "/api/v1/devices/x",
                "application/json",
                HttpRequest.BodyPublishers.ofString("{}"))); // 405, Spring MVC
        cases.add(http.send("POST", "/api/v1/devices", "text/plain", HttpRequest.BodyPublishers.ofString("x"))); // 415
        cases.add(http.post("/api/v1/devices", "[" + "1,".repeat(600_000) + "1]")); // 413, body limit
        cases.add(http.get("/api/v1/nothing-here")); // 404, no handler
        for (Http.Response r : cases) {
            assertThat(r.status()).as(r.body()).isBetween(400, 499);
            assertThat(r.header("Content-Type")).as(r.body()).startsWith("application/problem+json");
            JsonNode problem = r.json();
            assertThat(problem.path("type").asString()).as(r.body()).isEqualTo("about:blank");
            assertThat(problem.path("status").asInt()).isEqualTo(r.status());
            assertThat(problem.path("title").asString()).isNotBlank();
            assertThat(nullMembers(problem, "")).as(r.body()).isEmpty();
        }
    }

    @Test
    void bothDeletesAcceptWhatGeneratedClientsSend() {
        Http client = new Http(port)
                .withHeader("X-API-Key", TestAuth.OPERATOR_KEY)
                .withHeader("Accept", "application/problem+json");
        String device = unique("del");
        assertThat(http.post("/api/v1/devices", DEVICE.formatted(device)).status())
                .isEqualTo(201);
        assertThat(client.delete("/api/v1/devices/" + device, null).status()).isEqualTo(204);
        assertProblem(client.delete("/api/v1/devices/" + device, null), 404);

        String model = unique("del");
        assertThat(http.post("/api/v1/model-presets/roberta-base?name=" + model, "")
                        .status())
                .isEqualTo(201);
        assertThat(client.delete("/api/v1/models/" + model, null).status()).isEqualTo(204);
        assertProblem(client.delete("/api/v1/models/" + model, null), 404);
    }

    static List<String> nullMembers(JsonNode node, String path) {
        var found = new ArrayList<String>();
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getValue().isNull()) {
                    found.add(path + "." + e.getKey());
                } else {
                    found.addAll(nullMembers(e.getValue(), path + "." + e.getKey()));
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                found.addAll(nullMembers(node.get(i), path + "[" + i + "]"));
            }
        }
        return found;
    }
}
