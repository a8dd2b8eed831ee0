package io.loladeft.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The fading simulator, objective quantile and channel reports over real HTTP and PostgreSQL: what they answer, that
 * a seed reproduces, and every way to ask wrongly.
 */
class SimulationApiTest extends ApiTest {

    static String simulation(String plan, String extra) {
        return """
                {"plan": %s, "channel": {"model": "rayleigh", "coherenceRounds": 1}, "rounds": 20, "seed": 7%s}""".formatted(plan, extra);
    }

    static String plan() {
        return PlanApiTest.request("joint", PlanApiTest.fleet(5));
    }

    @Test
    void simulationComparesThePoliciesOnTheSameDrawsAndASeedReproduces() {
        Http.Response r = http.post("/api/v1/plans/simulate", simulation(plan(), ""));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode s = r.json();
        assertThat(s.path("algorithm").asString()).isEqualTo("joint");
        assertThat(s.path("optimumAlgorithm").asString()).isEqualTo("exact");
        assertThat(s.path("devices").size()).isEqualTo(5);
        assertThat(s.path("perRound").size()).isEqualTo(20);
        assertThat(s.path("policies"))
                .extracting(p -> p.path("policy").asString())
                .containsExactly("static", "robust", "adaptive");
        double[] totals = new double[3];
        for (JsonNode round : s.path("perRound")) {
            assertThat(round.path("gainsDb").size()).isEqualTo(5);
            double opt = round.path("optimumSeconds").asDouble();
            int j = 0;
            for (String policy : new String[] {"static", "robust", "adaptive"}) {
                double t = round.path("latencySeconds").path(policy).asDouble();
                assertThat(t).isGreaterThanOrEqualTo(opt * (1 - 1e-9));
                assertThat(round.path("ratioToOptimum").path(policy).asDouble()).isCloseTo(t / opt, within(1e-12));
                totals[j++] += t;
            }
            // joint is exact with one block per device: re-planning every round meets the optimum
            assertThat(round.path("ratioToOptimum").path("adaptive").asDouble()).isCloseTo(1.0, within(1e-8));
        }
        for (int j = 0; j < 3; j++) {
            JsonNode p = s.path("policies").get(j);
            assertThat(p.path("realized").path("total").asDouble()).isCloseTo(totals[j], within(1e-9 * totals[j]));
            assertThat(p.path("realized").path("mean").asDouble()).isCloseTo(totals[j] / 20, within(1e-9 * totals[j]));
            assertThat(p.path("realized").path("p95").asDouble())
                    .isGreaterThanOrEqualTo(p.path("realized").path("p50").asDouble());
        }
        assertThat(s.path("policies").get(0).path("assignments").size()).isEqualTo(5);
        assertThat(s.path("policies").get(2).has("assignments")).isFalse();
        // robust prices each upload at the gain it needs to finish by its promise; static at the gains as given
        assertThat(s.path("policies").get(1).path("assignments"))
                .allSatisfy(a -> assertThat(a.path("plannedGainDb").isNumber()).isTrue());
        assertThat(s.path("policies").get(0).path("assignments"))
                .allSatisfy(a -> assertThat(a.has("plannedGainDb")).isFalse());
        assertThat(s.path("policies").get(0).path("roundsOverPlanned").asInt()).isBetween(0, 20);

        Http.Response again = http.post("/api/v1/plans/simulate", simulation(plan(), ""));
        assertThat(again.json().path("perRound")).isEqualTo(s.path("perRound"));
        Http.Response otherSeed =
                http.post("/api/v1/plans/simulate", simulation(plan(), "").replace("\"seed\": 7", "\"seed\": 8"));
        assertThat(otherSeed.json().path("perRound").get(0).path("gainsDb"))
                .isNotEqualTo(s.path("perRound").get(0).path("gainsDb"));
    }

    @Test
    void defaultsAreRayleighEveryPolicyAndAStaticChannelChangesNothing() {
        Http.Response r = http.post("/api/v1/plans/simulate", """
                {"plan": %s, "rounds": 3, "channel": {"model": "static"}, "policies": ["adaptive", "static"]}""".formatted(plan()));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode s = r.json();
        assertThat(s.path("channel").path("model").asString()).isEqualTo("static");
        assertThat(s.path("outageProbability").asDouble()).isEqualTo(0.1);
        JsonNode first = s.path("perRound").get(0);
        assertThat(first.path("gainsDb").get(0).asDouble()).isEqualTo(-90.0);
        assertThat(first.path("latencySeconds").path("static").asDouble())
                .isCloseTo(first.path("optimumSeconds").asDouble(), within(1e-8));
        assertThat(s.path("policies").get(1).path("roundsOverPlanned").asInt()).isZero();

        Http.Response defaults = http.post("/api/v1/plans/simulate", "{\"plan\": %s, \"rounds\": 2}".formatted(plan()));
        assertThat(defaults.status()).as(defaults.body()).isEqualTo(200);
        assertThat(defaults.json().path("channel").path("model").asString()).isEqualTo("rayleigh");
        assertThat(defaults.json().path("channel").path("coherenceRounds").asInt())
                .isEqualTo(1);
        assertThat(defaults.json().path("policies").size()).isEqualTo(3);
    }

    @Test
    void ricianSimulates() {
        Http.Response r = http.post(
                "/api/v1/plans/simulate",
                simulation(plan(), "").replace("\"model\": \"rayleigh\"", "\"model\": \"rician\", \"kFactor\": 5"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("channel").path("kFactor").asDouble()).isEqualTo(5.0);
    }

    @Test
    void badSimulationsAreProblemsNamingTheirField() {
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans/simulate",
                                        simulation(plan(), ", \"policies\": [\"static\", \"greedy\", \"static\"]")),
                                400)
                        .errorFields())
                .containsExactly("policies[1]", "policies[2]");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans/simulate",
                                        simulation(plan(), "").replace("rayleigh", "nakagami")),
                                400)
                        .errorFields())
                .containsExactly("channel.model");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans/simulate",
                                        simulation(plan(), "")
                                                .replace(
                                                        "\"coherenceRounds\": 1",
                                                        "\"coherenceRounds\": 0, \"kFactor\": 500")),
                                400)
                        .errorFields())
                .containsExactlyInAnyOrder("channel.coherenceRounds", "channel.kFactor");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans/simulate",
                                        simulation(plan(), "").replace("\"rounds\": 20", "\"rounds\": 0")),
                                400)
                        .errorFields())
                .containsExactly("rounds");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans/simulate",
                                        simulation(plan(), "").replace("\"rounds\": 20, ", "")),
                                400)
                        .errorFields())
                .containsExactly("rounds");
        assertThat(assertProblem(
                                http.post("/api/v1/plans/simulate", simulation(plan(), ", \"outageProbability\": 1.0")),
                                400)
                        .errorFields())
                .containsExactly("outageProbability");
        // 5,000 rounds x 5 devices is beyond the default 20,000 device-rounds
        Http.Response big = assertProblem(
                http.post(
                        "/api/v1/plans/simulate", simulation(plan(), "").replace("\"rounds\": 20", "\"rounds\": 5000")),
                400);
        assertThat(big.errorFields()).containsExactly("rounds");
        assertThat(big.body()).contains("max-simulated-device-rounds");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans/simulate",
                                        simulation(
                                                plan().replace(
                                                                "\"algorithm\": \"joint\",",
                                                                "\"algorithm\": \"joint\", \"objective\": \"quantile\","),
                                                "")),
                                400)
                        .errorFields())
                .containsExactly("plan.objective");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans/simulate",
                                        simulation(plan(), "").replace("\"seed\": 7", "\"seed\": 7, \"speed\": 1")),
                                400)
                        .errorFields())
                .containsExactly("speed");
        // memory for no block at all: a well-formed request no plan exists for
        assertProblem(http.post("/api/v1/plans/simulate", simulation(plan().replace("8.0E9", "1.0E3"), "")), 422);
    }

    @Test
    void quantileObjectivePromisesALatencyThatSpendsExactlyTheOutageBudget() {
        String fleet = PlanApiTest.fleet(5);
        String quantile = PlanApiTest.request("joint", fleet)
                .replace("\"bandwidthHz\"", "\"objective\": \"quantile\", \"outageProbability\": 0.2, \"bandwidthHz\"");
        Http.Response q = http.post("/api/v1/plans", quantile);
        assertThat(q.status()).as(q.body()).isEqualTo(201);
        // Rayleigh by default: P(round <= T) = prod_k P(z_k > level_k) = exp(-sum_k level_k), with level_k the
        // normalized gain device k needs by T, i.e. its plannedGainDb over its mean gain (-90 - 3i dB): the levels
        // spend exactly the outage budget -ln(1 - 0.2), and every involved device ends at the promise
        double T = q.json().path("roundLatencySeconds").asDouble();
        double spent = 0;
        for (JsonNode a : q.json().path("assignments")) {
            int i = Integer.parseInt(a.path("device").asString().substring(1));
            double level = Math.pow(10, (a.path("plannedGainDb").asDouble() - (-90 - 3 * i)) / 10);
            assertThat(level).isLessThan(1);
            spent += level;
            assertThat(a.path("latencySeconds").asDouble()).isCloseTo(T, within(1e-9 * T));
        }
        assertThat(spent).isCloseTo(-Math.log(0.8), within(1e-6));
        Http.Response mean = http.post("/api/v1/plans", PlanApiTest.request("joint", fleet));
        assertThat(q.json().path("roundLatencySeconds").asDouble())
                .isGreaterThan(mean.json().path("roundLatencySeconds").asDouble());

        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans",
                                        PlanApiTest.request("joint", fleet)
                                                .replace(
                                                        "\"bandwidthHz\"",
                                                        "\"outageProbability\": 0.2, \"bandwidthHz\"")),
                                400)
                        .errorFields())
                .containsExactly("outageProbability");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/plans",
                                        PlanApiTest.request("joint", fleet)
                                                .replace(
                                                        "\"bandwidthHz\"",
                                                        "\"objective\": \"median\", \"bandwidthHz\"")),
                                400)
                        .errorFields())
                .containsExactly("objective");
        assertThat(assertProblem(http.post("/api/v1/plans", quantile.replace("0.2", "0")), 400)
                        .errorFields())
                .containsExactly("outageProbability");
    }

    @Test
    void aFreshChannelReportReplacesTheMeanGainAndAStaleOneDoesNot() {
        String a = unique("ch-a");
        String b = unique("ch-b");
        for (String[] d : new String[][] {{a, "-90"}, {b, "-100"}}) {
            Http.Response created = http.post("/api/v1/devices", """
                    {"name": "%s", "computeFlops": 1.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23,
                     "channelGainDb": %s}""".formatted(d[0], d[1]));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        String byName = """
                {"bandwidthHz": 2.0e7, "deviceNames": ["%s", "%s"], "model": %s,
                 "blocks": [{"layer": 1, "params": 24576}]}""".formatted(a, b, PlanApiTest.MODEL);
        double before = plan(byName);

        // stale: measured long ago, so the mean gain stands
        Http.Response stale = http.put(
                "/api/v1/devices/" + a + "/channel",
                "{\"gainDb\": -70, \"measuredAt\": \"2020-01-01T00:00:00Z\"}",
                null);
        assertThat(stale.status()).as(stale.body()).isEqualTo(200);
        assertThat(stale.json().path("channel").path("gainDb").asDouble()).isEqualTo(-70.0);
        assertThat(stale.json().path("channelGainDb").asDouble()).isEqualTo(-90.0);
        assertThat(plan(byName)).isEqualTo(before);

        // fresh and much better: the plan uses it, as a plan with that gain inline would
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Http.Response fresh = http.put(
                "/api/v1/devices/" + a + "/channel", "{\"gainDb\": -70, \"measuredAt\": \"%s\"}".formatted(now), null);
        assertThat(fresh.status()).as(fresh.body()).isEqualTo(200);
        assertThat(http.get("/api/v1/devices/" + a)
                        .json()
                        .path("channel")
                        .path("measuredAt")
                        .asString())
                .isEqualTo(now.toString());
        double after = plan(byName);
        double inline = plan("""
                {"bandwidthHz": 2.0e7, "devices": [
                   {"name": "%s", "computeFlops": 1.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23, "channelGainDb": -70},
                   {"name": "%s", "computeFlops": 1.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23, "channelGainDb": -100}],
                 "model": %s, "blocks": [{"layer": 1, "params": 24576}]}""".formatted(a, b, PlanApiTest.MODEL));
        assertThat(after).isLessThan(before).isEqualTo(inline);

        // an older measurement arriving late is not kept
        Http.Response late = http.put(
                "/api/v1/devices/" + a + "/channel",
                "{\"gainDb\": -120, \"measuredAt\": \"%s\"}".formatted(now.minusSeconds(5)),
                null);
        assertThat(late.json().path("channel").path("gainDb").asDouble()).isEqualTo(-70.0);

        assertThat(assertProblem(
                                http.put(
                                        "/api/v1/devices/" + a + "/channel",
                                        "{\"gainDb\": -70, \"measuredAt\": \"%s\"}".formatted(now.plusSeconds(3600)),
                                        null),
                                400)
                        .errorFields())
                .containsExactly("measuredAt");
        assertThat(assertProblem(
                                http.put(
                                        "/api/v1/devices/" + a + "/channel",
                                        "{\"measuredAt\": \"%s\"}".formatted(now),
                                        null),
                                400)
                        .errorFields())
                .containsExactly("gainDb");
        assertThat(assertProblem(
                                http.put(
                                        "/api/v1/devices/" + a + "/channel",
                                        "{\"gainDb\": -70, \"measuredAt\": \"yesterday\"}",
                                        null),
                                400)
                        .errorFields())
                .containsExactly("measuredAt");
        assertProblem(
                http.put(
                        "/api/v1/devices/" + unique("nobody") + "/channel",
                        "{\"gainDb\": -70, \"measuredAt\": \"%s\"}".formatted(now),
                        null),
                404);
    }

    private double plan(String request) {
        Http.Response r = http.post("/api/v1/plans", request);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("roundLatencySeconds").asDouble();
    }
}
