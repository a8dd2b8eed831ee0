package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import io.loladeft.support.TestAuth;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every endpoint against every role, by API key and by JWT: who gets in, and 401/403 as problems. */
class AuthorizationTest extends ApiTest {

    enum Needs {
        READER,
        PLANNER,
        OPERATOR
    }

    record Endpoint(String method, String path, Needs needs) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final String ID = "00000000-0000-0000-0000-000000000000";

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/v1/devices", Needs.READER),
            new Endpoint("GET", "/api/v1/devices/some-device", Needs.READER),
            new Endpoint("POST", "/api/v1/devices", Needs.OPERATOR),
            new Endpoint("POST", "/api/v1/devices/batch", Needs.OPERATOR),
            new Endpoint("PUT", "/api/v1/devices/some-device", Needs.OPERATOR),
            new Endpoint("DELETE", "/api/v1/devices/some-device", Needs.OPERATOR),
            new Endpoint("PUT", "/api/v1/devices/some-device/channel", Needs.OPERATOR),
            new Endpoint("GET", "/api/v1/models", Needs.READER),
            new Endpoint("GET", "/api/v1/models/some-model", Needs.READER),
            new Endpoint("POST", "/api/v1/models", Needs.OPERATOR),
            new Endpoint("PUT", "/api/v1/models/some-model", Needs.OPERATOR),
            new Endpoint("DELETE", "/api/v1/models/some-model", Needs.OPERATOR),
            new Endpoint("GET", "/api/v1/model-presets", Needs.READER),
            new Endpoint("POST", "/api/v1/model-presets/no-such-preset", Needs.OPERATOR),
            new Endpoint("POST", "/api/v1/plans", Needs.PLANNER),
            new Endpoint("POST", "/api/v1/plans/compare", Needs.PLANNER),
            new Endpoint("POST", "/api/v1/plans/simulate", Needs.PLANNER),
            new Endpoint("GET", "/api/v1/plans", Needs.READER),
            new Endpoint("GET", "/api/v1/plans/" + ID, Needs.READER),
            new Endpoint("GET", "/api/v1/plans/" + ID + "/timeline.svg", Needs.READER),
            new Endpoint("POST", "/api/v1/jobs", Needs.OPERATOR),
            new Endpoint("GET", "/api/v1/jobs", Needs.READER),
            new Endpoint("GET", "/api/v1/jobs/" + ID, Needs.READER),
            new Endpoint("GET", "/api/v1/jobs/" + ID + "/events", Needs.READER),
            new Endpoint("GET", "/api/v1/jobs/" + ID + "/blocks", Needs.READER),
            new Endpoint("POST", "/api/v1/jobs/" + ID + "/cancel", Needs.OPERATOR));

    static Stream<Arguments> endpointsAndRoles() {
        return ENDPOINTS.stream().flatMap(e -> Stream.of(Needs.values()).map(role -> Arguments.of(e, role)));
    }

    private Http.Response call(Http client, Endpoint e) {
        boolean body = !e.method().equals("GET") && !e.method().equals("DELETE");
        return client.send(
                e.method(),
                e.path(),
                "application/json",
                body ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("endpointsAndRoles")
    void rolesByApiKey(Endpoint e, Needs role) {
        String key = switch (role) {
            case READER -> TestAuth.READER_KEY;
            case PLANNER -> TestAuth.PLANNER_KEY;
            case OPERATOR -> TestAuth.OPERATOR_KEY;
        };
        expect(call(as("X-API-Key", key), e), role.compareTo(e.needs()) >= 0);
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("endpointsAndRoles")
    void rolesByJwt(Endpoint e, Needs role) {
        String token = TestAuth.jwt("user-" + role, List.of(role.name().toLowerCase()), 300);
        expect(call(as("Authorization", "Bearer " + token), e), role.compareTo(e.needs()) >= 0);
    }

    private static void expect(Http.Response r, boolean allowed) {
        if (allowed) {
            assertThat(r.status()).as(r.body()).isNotIn(401, 403).isLessThan(500);
        } else {
            assertProblem(r, 403);
        }
    }

    @Test
    void everyEndpointNeedsCredentials() {
        for (Endpoint e : ENDPOINTS) {
            Http.Response r = assertProblem(call(new Http(port), e), 401);
            assertThat(r.header("WWW-Authenticate")).as(e.toString()).contains("Bearer");
        }
    }

    @Test
    void wrongKeysAndBadTokensAre401() {
        assertProblem(as("X-API-Key", "not-a-key").get("/api/v1/devices"), 401);
        assertProblem(as("Authorization", "ApiKey not-a-key").get("/api/v1/devices"), 401);
        assertThat(as("Authorization", "ApiKey " + TestAuth.READER_KEY)
                        .get("/api/v1/devices")
                        .status())
                .isEqualTo(200);
        assertProblem(
                as("Authorization", "Bearer " + TestAuth.jwt("late", List.of("operator"), -60))
                        .get("/api/v1/devices"),
                401);
        assertProblem(as("Authorization", "Bearer not.a.jwt").get("/api/v1/devices"), 401);
        String noRoles = TestAuth.jwt("nobody", List.of("admin"), 300);
        assertProblem(as("Authorization", "Bearer " + noRoles).get("/api/v1/devices"), 403);
    }

    @Test
    void probesAndApiDocsStayOpen() {
        Http anonymous = new Http(port);
        assertThat(anonymous.get("/livez").status()).isEqualTo(200);
        assertThat(anonymous.get("/readyz").status()).isEqualTo(200);
        assertThat(anonymous.get("/v3/api-docs").status()).isEqualTo(200);
        assertThat(anonymous.get("/swagger-ui/index.html").status()).isEqualTo(200);
        assertThat(new Http(managementPort).get("/actuator/prometheus").status())
                .isEqualTo(200);
    }
}
