package io.loladeft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** The device registry over real HTTP and PostgreSQL, including every kind of bad input. */
class DeviceApiTest extends ApiTest {

    static String device(String name) {
        return """
                {"name": "%s", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23,
                 "channelGainDb": -90, "labels": {"zone": "lab-a"}}""".formatted(name);
    }

    @Test
    void createGetAndDuplicate() {
        String name = unique("dev");
        Http.Response created = http.post("/api/v1/devices", device(name));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/devices/" + name);
        assertThat(created.header("ETag")).isEqualTo("\"0\"");
        assertThat(created.json().path("computeFlops").asDouble()).isEqualTo(2.0e12);

        Http.Response got = http.get("/api/v1/devices/" + name);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().path("labels").path("zone").asString()).isEqualTo("lab-a");
        assertThat(got.json().path("createdAt").asString()).isNotEmpty();

        assertProblem(http.post("/api/v1/devices", device(name)), 409);
    }

    @Test
    void missingAndNegativeCapacitiesNameEveryField() {
        Http.Response r = assertProblem(
                http.post(
                        "/api/v1/devices",
                        "{\"name\": \"d1\", \"memoryBytes\": -5, \"txPowerDbm\": 20, \"channelGainDb\": -90}"),
                400);
        assertThat(r.errorFields()).containsExactly("computeFlops", "memoryBytes");
    }

    @Test
    void nonFiniteNumbersAreRefused() {
        assertThat(assertProblem(http.post("/api/v1/devices", device("d2").replace("2.0e12", "1e999")), 400)
                        .errorFields())
                .containsExactly("computeFlops");
        assertThat(assertProblem(http.post("/api/v1/devices", device("d2").replace("2.0e12", "\"NaN\"")), 400)
                        .errorFields())
                .containsExactly("computeFlops");
        assertProblem(http.post("/api/v1/devices", device("d2").replace("2.0e12", "NaN")), 400);
        assertProblem(http.post("/api/v1/devices", device("d2").replace("2.0e12", "-Infinity")), 400);
    }

    @Test
    void unknownFieldsWrongTypesAndMalformedJson() {
        Http.Response unknown = assertProblem(
                http.post("/api/v1/devices", device("d3").replace("\"labels\"", "\"flops\": 1, \"labels\"")), 400);
        assertThat(unknown.errorFields()).containsExactly("flops");
        assertThat(unknown.json().path("errors").get(0).path("message").asString())
                .contains("unknown field");

        Http.Response wrongType =
                assertProblem(http.post("/api/v1/devices", device("d3").replace("2.0e12", "\"fast\"")), 400);
        assertThat(wrongType.errorFields()).containsExactly("computeFlops");
        assertThat(wrongType.json().path("errors").get(0).path("message").asString())
                .contains("a number");

        assertThat(assertProblem(http.post("/api/v1/devices", device("d3").replace("\"lab-a\"", "[1]")), 400)
                        .errorFields())
                .containsExactly("labels.zone");
        assertProblem(http.post("/api/v1/devices", "{\"name\": \"d3\", "), 400);
        assertProblem(http.post("/api/v1/devices", device("d3") + " {}"), 400);
        assertProblem(http.post("/api/v1/devices", ""), 400);
        assertProblem(http.post("/api/v1/devices", "[]"), 400);
    }

    @Test
    void invalidNamesLabelsAndProfiles() {
        assertThat(assertProblem(http.post("/api/v1/devices", device("Not_A_Label")), 400)
                        .errorFields())
                .containsExactly("name");
        assertThat(assertProblem(http.post("/api/v1/devices", device("d4").replace("\"zone\"", "\"bad key!\"")), 400)
                        .errorFields())
                .hasSize(1);
        Http.Response profile = assertProblem(
                http.post(
                        "/api/v1/devices",
                        device("d4")
                                .replace(
                                        "\"labels\"",
                                        "\"profile\": {\"computeSeconds\": [1.0, 0.5], \"memoryBytes\": [1e9, 2e9]}, \"labels\"")),
                400);
        assertThat(profile.errorFields()).containsExactly("profile.computeSeconds[1]");
    }

    @Test
    void oversizedBodiesAre413WithOrWithoutContentLength() {
        String huge = device("d5").replace("\"lab-a\"", "\"" + "a".repeat(2_000_000) + "\"");
        assertProblem(http.post("/api/v1/devices", huge), 413);
        byte[] bytes = huge.getBytes();
        Http.Response chunked = http.send(
                "POST",
                "/api/v1/devices",
                "application/json",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
        assertThat(chunked.status()).isEqualTo(413);
    }

    @Test
    void wrongMediaTypeIs415AndUnknownNameIs404() {
        assertProblem(
                http.send("POST", "/api/v1/devices", "text/plain", HttpRequest.BodyPublishers.ofString(device("d6"))),
                415);
        assertProblem(http.get("/api/v1/devices/no-such-device"), 404);
        assertProblem(http.delete("/api/v1/devices/no-such-device", null), 404);
        assertProblem(http.get("/api/v1/no-such-endpoint"), 404);
        assertProblem(http.get("/api/v1/devices//x"), 400);
        assertProblem(http.get("/api/v1/devices/%2e%2e/x"), 400);
    }

    @Test
    void putIsAnIdempotentUpsertWithOptimisticConcurrency() {
        String name = unique("op");
        String body = device(name);
        Http.Response first = http.put("/api/v1/devices/" + name, body, null);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        Http.Response again =
                http.put("/api/v1/devices/" + name, body.replace("\"txPowerDbm\": 23", "\"txPowerDbm\": 20"), null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("txPowerDbm").asDouble()).isEqualTo(20.0);
        String etag = again.header("ETag");

        assertProblem(http.put("/api/v1/devices/" + name, body, "\"0\""), 412);
        assertThat(http.put("/api/v1/devices/" + name, body, etag).status()).isEqualTo(200);
        assertProblem(http.put("/api/v1/devices/" + name, device("other-name"), null), 400);
        assertProblem(http.put("/api/v1/devices/" + unique("absent"), body.replace(name, "x"), "\"3\""), 400);

        assertProblem(http.delete("/api/v1/devices/" + name, etag), 412);
        assertThat(http.delete(
                                "/api/v1/devices/" + name,
                                http.get("/api/v1/devices/" + name).header("ETag"))
                        .status())
                .isEqualTo(204);
        assertProblem(http.get("/api/v1/devices/" + name), 404);
    }

    @Test
    void listPagesAndSelectsByLabel() {
        String zone = unique("zone");
        for (int i = 0; i < 3; i++) {
            String body = device(unique("sel") + i).replace("lab-a", zone);
            if (i == 2) {
                body = body.replace("\"zone\"", "\"tier\": \"backup\", \"zone\"");
            }
            assertThat(http.post("/api/v1/devices", body).status()).isEqualTo(201);
        }
        assertThat(http.get("/api/v1/devices?labelSelector=zone=" + zone)
                        .json()
                        .path("totalItems")
                        .asInt())
                .isEqualTo(3);
        assertThat(http.get("/api/v1/devices?labelSelector=zone=" + zone + ",tier!=backup")
                        .json()
                        .path("totalItems")
                        .asInt())
                .isEqualTo(2);
        assertThat(http.get("/api/v1/devices?labelSelector=zone=" + zone + ",tier")
                        .json()
                        .path("totalItems")
                        .asInt())
                .isEqualTo(1);
        Http.Response page = http.get("/api/v1/devices?labelSelector=zone=" + zone + ",!tier&size=1&page=1");
        assertThat(page.json().path("items").size()).isEqualTo(1);
        assertThat(page.json().path("totalPages").asInt()).isEqualTo(2);

        assertThat(assertProblem(http.get("/api/v1/devices?labelSelector=!a=b"), 400)
                        .errorFields())
                .containsExactly("labelSelector");
        assertThat(assertProblem(http.get("/api/v1/devices?sort=nonsense"), 400).errorFields())
                .containsExactly("sort");
    }

    @Test
    void batchIsAllOrNothing() {
        String a = unique("fleet-a");
        String b = unique("fleet-b");
        Http.Response bad = assertProblem(
                http.post(
                        "/api/v1/devices/batch",
                        "{\"devices\": [" + device(a) + "," + device(b).replace("2.0e12", "-1") + "]}"),
                400);
        assertThat(bad.errorFields()).containsExactly("devices[1].computeFlops");
        assertProblem(http.get("/api/v1/devices/" + a), 404);

        Http.Response repeated = assertProblem(
                http.post("/api/v1/devices/batch", "{\"devices\": [" + device(a) + "," + device(a) + "]}"), 400);
        assertThat(repeated.errorFields()).containsExactly("devices[1].name");

        Http.Response ok = http.post("/api/v1/devices/batch", "{\"devices\": [" + device(a) + "," + device(b) + "]}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(ok.json().size()).isEqualTo(2);

        String c = unique("fleet-c");
        Http.Response clash = assertProblem(
                http.post("/api/v1/devices/batch", "{\"devices\": [" + device(c) + "," + device(b) + "]}"), 409);
        assertThat(clash.errorFields()).containsExactly("devices[1].name");
        assertProblem(http.get("/api/v1/devices/" + c), 404);
    }
}
