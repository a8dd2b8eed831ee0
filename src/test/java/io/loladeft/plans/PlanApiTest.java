package io.loladeft.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Plans over real HTTP and PostgreSQL: solve, store, read back, compare, draw, and refuse. */
class PlanApiTest extends ApiTest {

    static final String MODEL = """
            {"architecture": {"layers": 4, "hidden": 768, "heads": 12, "intermediate": 3072, "vocab": 50265, "maxPositions": 514},
             "block": {"kind": "lora", "rank": 8, "alpha": 16}}""";

    static String device(String name, double flops, double memory, double gainDb) {
        return """
                {"name": "%s", "computeFlops": %s, "memoryBytes": %s, "txPowerDbm": 23, "channelGainDb": %s}""".formatted(name, flops, memory, gainDb);
    }

    static String fleet(int n) {
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            devices.add(device("d" + i, 5e11 + 3e11 * i, 8e9, -90 - 3 * i));
        }
        return "[" + String.join(",", devices) + "]";
    }

    static String request(String algorithm, String devices) {
        return """
                {"algorithm": "%s", "bandwidthHz": 2.0e7, "devices": %s, "model": %s,
                 "training": {"batchSize": 16, "seqLen": 128, "rounds": 100}}""".formatted(algorithm, devices, MODEL);
    }

    @Test
    void planIsStoredAndReadBack() {
        Http.Response created = http.post("/api/v1/plans", request("jbba", fleet(5)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode plan = created.json();
        String id = plan.path("id").asString();
        assertThat(created.header("Location")).isEqualTo("/api/v1/plans/" + id);
        // jbba is an alias of the default joint algorithm, which the plan names
        assertThat(plan.path("algorithm").asString()).isEqualTo("joint");

        List<Integer> layers = new ArrayList<>();
        double bandwidth = 0;
        double slowest = 0;
        String slowestDevice = null;
        for (JsonNode a : plan.path("assignments")) {
            a.path("layers").forEach(l -> layers.add(l.asInt()));
            bandwidth += a.path("bandwidthHz").asDouble();
            assertThat(a.path("latencySeconds").asDouble())
                    .isCloseTo(
                            a.path("computeSeconds").asDouble()
                                    + a.path("uploadSeconds").asDouble(),
                            within(1e-9));
            if (a.path("latencySeconds").asDouble() > slowest) {
                slowest = a.path("latencySeconds").asDouble();
                slowestDevice = a.path("device").asString();
            }
        }
        // Four layers' blocks and the head's (layer 5), one per device: five devices, none idle.
        assertThat(layers).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        for (JsonNode a : plan.path("assignments")) {
            assertThat(a.path("head").asBoolean())
                    .isEqualTo(a.path("layers").get(0).asInt() == 5);
        }
        assertThat(bandwidth).isLessThanOrEqualTo(2.0e7 * (1 + 1e-9));
        assertThat(plan.path("idleDevices").size()).isEqualTo(0);
        assertThat(plan.path("roundLatencySeconds").asDouble()).isCloseTo(slowest, within(1e-12));
        assertThat(plan.path("bottleneckDevice").asString()).isEqualTo(slowestDevice);
        assertThat(plan.path("totalLatencySeconds").asDouble())
                .isCloseTo(100 * plan.path("roundLatencySeconds").asDouble(), within(1e-9));
        assertThat(plan.path("lowerBoundSeconds").asDouble()).isLessThanOrEqualTo(slowest * (1 + 1e-9));
        assertThat(plan.path("solver").has("iterations")).isTrue();

        Http.Response got = http.get("/api/v1/plans/" + id);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json()).isEqualTo(plan);
        assertThat(http.get("/api/v1/plans?size=500").body()).contains(id);

        Http.Response svg = http.get("/api/v1/plans/" + id + "/timeline.svg");
        assertThat(svg.status()).isEqualTo(200);
        assertThat(svg.header("Content-Type")).startsWith("image/svg+xml");
        assertThat(svg.body()).startsWith("<svg").contains(slowestDevice, "bottleneck", "#d62728", ">layers ");
    }

    @Test
    void registeredDevicesAndModelsCanBePlannedByNameOrLabel() {
        String zone = unique("z");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // four layers' blocks and the head's, one each
            String name = unique("edge") + i;
            names.add(name);
            String body =
                    device(name, 1e12 + i * 1e11, 8e9, -95).replace("}", ", \"labels\": {\"zone\": \"" + zone + "\"}}");
            assertThat(http.post("/api/v1/devices", body).status()).isEqualTo(201);
        }
        String model = unique("mdl");
        assertThat(http.post(
                                "/api/v1/models",
                                MODEL.replace("{\"architecture\"", "{\"name\": \"" + model + "\", \"architecture\""))
                        .status())
                .isEqualTo(201);

        Http.Response bySelector = http.post("/api/v1/plans", """
                {"bandwidthHz": 1e7, "labelSelector": "zone=%s", "model": {"name": "%s"}}""".formatted(zone, model));
        assertThat(bySelector.status()).as(bySelector.body()).isEqualTo(201);
        assertThat(bySelector.json().path("assignments").size()).isEqualTo(5);

        Http.Response byNames = http.post("/api/v1/plans", """
                {"algorithm": "crunch", "bandwidthHz": 1e7, "deviceNames": ["%s", "%s", "%s", "%s", "%s"], "model": {"name": "%s"}}""".formatted(
                        names.get(0), names.get(1), names.get(2), names.get(3), names.get(4), model));
        assertThat(byNames.status()).as(byNames.body()).isEqualTo(201);

        Http.Response unknown = assertProblem(http.post("/api/v1/plans", """
                {"bandwidthHz": 1e7, "deviceNames": ["%s", "no-such-device"], "model": {"name": "no-such-model"}}""".formatted(names.get(0))), 422);
        assertThat(unknown.errorFields()).containsExactly("deviceNames[1]");
        assertThat(assertProblem(http.post("/api/v1/plans", """
                {"bandwidthHz": 1e7, "deviceNames": ["%s"], "model": {"name": "no-such-model"}}""".formatted(names.get(0))), 422)
                        .errorFields())
                .containsExactly("model.name");
    }

    @Test
    void infeasibleFleetsAre422NamingWhatIsAtFault() {
        Http.Response tooSmall = assertProblem(
                http.post(
                        "/api/v1/plans",
                        request(
                                "jbba",
                                "[" + device("tiny-a", 1e12, 1e6, -90) + "," + device("tiny-b", 1e12, 1e6, -90) + ","
                                        + device("tiny-c", 1e12, 1e6, -90) + "," + device("tiny-d", 1e12, 1e6, -90)
                                        + ","
                                        + device("tiny-e", 1e12, 1e6, -90) + "]")),
                422);
        assertThat(tooSmall.body()).contains("tiny-a");

        assertThat(assertProblem(http.post("/api/v1/plans", request("jbba", fleet(2))), 422)
                        .body())
                .containsIgnoringCase("block");
        assertProblem(http.post("/api/v1/plans", request("jbba", fleet(5)).replace("2.0e7", "0")), 422);
        assertProblem(
                http.post(
                        "/api/v1/plans",
                        request("jbba", fleet(5)).replace("\"computeFlops\": 5.0E11", "\"computeFlops\": -1")),
                422);
        String profiled = request("crunch", fleet(4))
                .replace(
                        "\"name\": \"d0\",",
                        "\"name\": \"d0\", \"profile\": {\"computeSeconds\": [1, 2, 1.5, 3], \"memoryBytes\": [1e9, 1e9, 1e9, 1e9]},");
        assertThat(assertProblem(http.post("/api/v1/plans", profiled), 422).errorFields())
                .containsExactly("devices[0].profile.computeSeconds[2]");
    }

    @Test
    void malformedRequestsAre400() {
        assertThat(assertProblem(http.post("/api/v1/plans", request("fastest", fleet(5))), 400)
                        .errorFields())
                .containsExactly("algorithm");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans",
                                        request("jbba", fleet(5)).replace("\"rounds\"", "\"epochs\"")),
                                400)
                        .errorFields())
                .containsExactly("training.epochs");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans",
                                        request("jbba", fleet(5)).replace("2.0e7", "\"wide\"")),
                                400)
                        .errorFields())
                .containsExactly("bandwidthHz");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans",
                                        request("jbba", fleet(5))
                                                .replace("\"devices\"", "\"deviceNames\": [\"a\"], \"devices\"")),
                                400)
                        .errorFields())
                .containsExactly("devices");
        assertThat(assertProblem(
                                http.post("/api/v1/plans", "{\"bandwidthHz\": 1e7, \"devices\": " + fleet(4) + "}"),
                                400)
                        .errorFields())
                .containsExactly("model");
        assertProblem(http.get("/api/v1/plans/not-a-uuid"), 400);
        assertThat(assertProblem(http.get("/api/v1/plans?size=0"), 400).errorFields())
                .containsExactly("size");
        assertProblem(http.get("/api/v1/plans?page=abc"), 400);
        assertProblem(http.get("/api/v1/plans/00000000-0000-0000-0000-000000000000"), 404);
    }

    @Test
    void exactRefusesWhatItCannotFinish() {
        // 60 devices x 128 blocks, up to 128 per device: beyond the run search's table cap, and the branch and
        // bound's work estimate is over its limit, so exact says so rather than run past its budget.
        String big = request("exact", fleet(60))
                .replace("\"layers\": 4", "\"layers\": 128")
                .replace("\"bandwidthHz\"", "\"maxBlocksPerDevice\": 128, \"bandwidthHz\"");
        Http.Response r = assertProblem(http.post("/api/v1/plans", big), 422);
        assertThat(r.errorFields()).containsExactly("algorithm");
    }

    @Test
    void compareRunsEveryAlgorithmOnTheSameInput() {
        Http.Response r = http.post("/api/v1/plans/compare", request("jbba", fleet(6)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> algorithms = new ArrayList<>();
        double jbba = 0;
        double equal = 0;
        double bestRelative = Double.MAX_VALUE;
        for (JsonNode row : r.json().path("rows")) {
            algorithms.add(row.path("algorithm").asString());
            if (row.path("algorithm").asString().equals("offload")) {
                assertThat(row.path("breaks").asString()).startsWith("maxBlocksPerDevice: device '");
            }
            if (row.has("relativeToBest") && !row.hasNonNull("breaks")) {
                bestRelative = Math.min(bestRelative, row.path("relativeToBest").asDouble());
                assertThat(row.path("relativeToBest").asDouble()).isGreaterThanOrEqualTo(1.0);
            }
            if (row.path("algorithm").asString().equals("joint")) {
                jbba = row.path("roundLatencySeconds").asDouble();
            }
            if (row.path("algorithm").asString().equals("equal-bandwidth")) {
                equal = row.path("roundLatencySeconds").asDouble();
            }
        }
        assertThat(algorithms)
                .containsExactly(
                        "joint",
                        "dual-ascent",
                        "crunch",
                        "exact",
                        "equal-bandwidth",
                        "depth-unaware",
                        "offload",
                        "random");
        assertThat(bestRelative).isEqualTo(1.0);
        assertThat(jbba).isPositive().isLessThanOrEqualTo(equal * (1 + 1e-9));
    }
}
