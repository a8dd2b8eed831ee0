package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.json.JsonMapper;

/** Each configured limit refuses with a problem naming the field and the limit. */
@TestPropertySource(
        properties = {
            "loladeft.limits.max-devices=3",
            "loladeft.limits.max-blocks=6",
            "loladeft.limits.max-json-depth=8",
            "loladeft.limits.max-body-bytes=20000"
        })
class LimitsTest extends ApiTest {

    static String device(int i) {
        return "{\"name\": \"lim-" + i + "\", \"computeFlops\": 1e12, \"memoryBytes\": 8e9, \"txPowerDbm\": 20,"
                + " \"channelGainDb\": -90}";
    }

    @Test
    void fleetsLargerThanMaxDevicesAreRefused() {
        Http.Response batch = assertProblem(
                http.post(
                        "/api/v1/devices/batch",
                        "{\"devices\": [" + device(1) + "," + device(2) + "," + device(3) + "," + device(4) + "]}"),
                400);
        assertThat(batch.errorFields()).containsExactly("devices");
        assertThat(batch.body()).contains("loladeft.limits.max-devices");
        Http.Response plan = assertProblem(
                http.post(
                        "/api/v1/plans",
                        "{\"bandwidthHz\": 1e7, \"devices\": ["
                                + device(1) + "," + device(2) + "," + device(3) + "," + device(4)
                                + "], \"model\": {\"architecture\":"
                                + " {\"layers\": 2, \"hidden\": 64, \"heads\": 4, \"intermediate\": 128, \"vocab\": 100, \"maxPositions\": 66}}}"),
                400);
        assertThat(plan.errorFields()).containsExactly("devices");
    }

    @Test
    void modelsWithMoreBlocksThanMaxBlocksAreRefused() {
        Http.Response r = assertProblem(
                http.post(
                        "/api/v1/plans",
                        "{\"bandwidthHz\": 1e7, \"devices\": ["
                                + device(1)
                                + "], \"model\": {\"architecture\": {\"layers\": 12, \"hidden\": 64, \"heads\": 4,"
                                + " \"intermediate\": 128, \"vocab\": 100, \"maxPositions\": 66}}}"),
                400);
        assertThat(r.errorFields()).containsExactly("model.architecture.layers");
    }

    @Autowired
    JsonMapper json;

    @Test
    void deepJsonAndBigBodiesAreRefused() {
        // Typed reads fail at the first unexpected bracket; the parser's own bound covers the rest.
        assertProblem(http.post("/api/v1/devices", "[".repeat(5000) + "]".repeat(5000)), 400);
        assertThatThrownBy(() -> json.readTree("[".repeat(9) + "]".repeat(9)))
                .isInstanceOf(StreamConstraintsException.class);
        assertThat(json.readTree("[".repeat(8) + "]".repeat(8)).isArray()).isTrue();
        assertProblem(http.post("/api/v1/devices", device(1).replace("lim-1", "x".repeat(30_000))), 413);
    }
}
