package io.loladeft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import tools.jackson.databind.JsonNode;

/**
 * Unschedulable devices and the calibration measured rounds feed back, over real HTTP and PostgreSQL. The expected
 * numbers are worked out by hand from the documented rule (weight 1/4 for the new round, the profile kept
 * non-decreasing by raising the deeper and lowering the shallower entries).
 */
class DeviceCalibrationTest extends ApiTest {

    @Autowired
    ApplicationEventPublisher events;

    private static String device(String name, String zone, String extra) {
        return """
                {"name": "%s", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23,
                 "channelGainDb": -90, "labels": {"zone": "%s"}%s}""".formatted(name, zone, extra);
    }

    @Test
    void roundsRecalibrateSpeedAndProfileAndPlansUseThem() {
        String zone = unique("cal");
        String name = unique("cal");
        String profile =
                ", \"profile\": {\"computeSeconds\": [1.0, 2.0, 3.0, 4.0], \"memoryBytes\": [1e9, 1e9, 1e9, 1e9]}";
        assertThat(http.post("/api/v1/devices", device(name, zone, profile)).status())
                .isEqualTo(201);
        assertThat(http.get("/api/v1/devices/" + name).json().has("calibration"))
                .isFalse();

        events.publishEvent(new DeviceMeasured(name, 1.0e12, 2, 10.0));
        JsonNode after1 = http.get("/api/v1/devices/" + name).json();
        assertThat(after1.path("calibration").path("effectiveFlops").asDouble()).isEqualTo(1.0e12);
        assertThat(after1.path("calibration").path("rounds").asLong()).isEqualTo(1);
        // depth 2: 0.75 * 2 + 0.25 * 10 = 4.0; depth 3 raised to 4.0, depth 4 stays 4.0, depth 1 stays 1.0
        assertThat(seconds(after1)).containsExactly(1.0, 4.0, 4.0, 4.0);

        events.publishEvent(new DeviceMeasured(name, 2.0e12, 4, 0.5));
        JsonNode after2 = http.get("/api/v1/devices/" + name).json();
        assertThat(after2.path("calibration").path("effectiveFlops").asDouble()).isCloseTo(1.25e12, within(1.0));
        assertThat(after2.path("calibration").path("rounds").asLong()).isEqualTo(2);
        // depth 4: 0.75 * 4 + 0.25 * 0.5 = 3.125; depths 2 and 3 lowered to it, depth 1 stays
        assertThat(seconds(after2)).containsExactly(1.0, 3.125, 3.125, 3.125);

        // A plan over the registry computes with the measured speed: a device without a profile (the analytic
        // cost model, compute = FLOPs / speed) measured at half its declared speed computes twice as long.
        String plain = unique("plain");
        http.post("/api/v1/devices", device(plain, zone, ""));
        String planBody = """
                {"bandwidthHz": 2.0e7, "deviceNames": ["%s"],
                 "model": {"architecture": {"layers": 2, "hidden": 64, "heads": 2, "intermediate": 128,
                           "vocab": 1000, "maxPositions": 66}, "block": {"kind": "lora", "rank": 4, "alpha": 8}},
                 "maxBlocksPerDevice": 3}""".formatted(plain);
        Http.Response before = http.post("/api/v1/plans", planBody);
        assertThat(before.status()).as(before.body()).isEqualTo(201);
        events.publishEvent(new DeviceMeasured(plain, 1.0e12, null, 0));
        Http.Response after = http.post("/api/v1/plans", planBody);
        assertThat(after.json()
                        .path("assignments")
                        .get(0)
                        .path("computeSeconds")
                        .asDouble())
                .isCloseTo(
                        2
                                * before.json()
                                        .path("assignments")
                                        .get(0)
                                        .path("computeSeconds")
                                        .asDouble(),
                        within(1e-12));

        // Declaring another speed starts the calibration over (it was measured against the old one).
        Http.Response put =
                http.put("/api/v1/devices/" + name, device(name, zone, "").replace("2.0e12", "3.0e12"), null);
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().has("calibration")).isFalse();
    }

    @Test
    void unschedulableDevicesAreLeftOutOfPlans() {
        String zone = unique("cordon");
        String a = unique("a");
        String b = unique("b");
        http.post("/api/v1/devices", device(a, zone, ""));
        Http.Response cordoned = http.post("/api/v1/devices", device(b, zone, ", \"unschedulable\": true"));
        assertThat(cordoned.status()).as(cordoned.body()).isEqualTo(201);
        assertThat(cordoned.json().path("unschedulable").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/devices/" + a).json().path("unschedulable").asBoolean())
                .isFalse();

        String model = """
                "model": {"architecture": {"layers": 1, "hidden": 64, "heads": 2, "intermediate": 128,
                          "vocab": 1000, "maxPositions": 66}, "block": {"kind": "lora", "rank": 4, "alpha": 8}}""";
        Http.Response bySelector = http.post(
                "/api/v1/plans",
                "{\"bandwidthHz\": 2.0e7, \"labelSelector\": \"zone=" + zone + "\", \"maxBlocksPerDevice\": 2, " + model
                        + "}");
        assertThat(bySelector.status()).as(bySelector.body()).isEqualTo(201);
        assertThat(bySelector.json().path("assignments")).hasSize(1);
        assertThat(bySelector.json().path("assignments").get(0).path("device").asString())
                .isEqualTo(a);

        Http.Response byName = assertProblem(
                http.post("/api/v1/plans", "{\"bandwidthHz\": 2.0e7, \"deviceNames\": [\"" + b + "\"], " + model + "}"),
                422);
        assertThat(byName.errorFields()).containsExactly("deviceNames[0]");
        assertThat(byName.body()).contains("unschedulable");

        // Back in service by PUT (the field is part of the device's description; omitted means schedulable).
        Http.Response back = http.put("/api/v1/devices/" + b, device(b, zone, ""), null);
        assertThat(back.json().path("unschedulable").asBoolean()).isFalse();
    }

    private static List<Double> seconds(JsonNode device) {
        List<Double> out = new ArrayList<>();
        device.path("profile").path("computeSeconds").forEach(n -> out.add(n.asDouble()));
        return out;
    }
}
