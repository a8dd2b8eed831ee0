package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * openapi/openapi.yaml is the committed contract: this fails when the running service's spec
 * differs from it. After an intended API change, regenerate it with
 * {@code ./mvnw test -Dtest=OpenApiContractTest -Dopenapi.update=true} and review the diff.
 */
class OpenApiContractTest extends ApiTest {

    static final Path CONTRACT = Path.of("openapi", "openapi.yaml");

    @Test
    void runningSpecMatchesTheCommittedContract() throws IOException {
        Http.Response live = http.get("/v3/api-docs.yaml");
        assertThat(live.status()).isEqualTo(200);
        String spec = live.body().replace("\r\n", "\n");
        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(CONTRACT, spec);
        }
        assertThat(Files.exists(CONTRACT))
                .as("%s is missing; run with -Dopenapi.update=true", CONTRACT)
                .isTrue();
        assertThat(spec)
                .as(
                        "the running API differs from %s; if intended, regenerate with"
                                + " ./mvnw test -Dtest=OpenApiContractTest -Dopenapi.update=true",
                        CONTRACT)
                .isEqualTo(Files.readString(CONTRACT));
    }

    @Test
    void everyRequestBodyHasAnExample() {
        var paths = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(http.get("/v3/api-docs").body())
                .path("paths");
        List<String> missing = new ArrayList<>();
        paths.properties()
                .forEach(path -> path.getValue().properties().forEach(op -> {
                    var body = op.getValue().path("requestBody");
                    if (!body.isMissingNode()
                            && body.findValue("examples") == null
                            && body.findValue("example") == null) {
                        missing.add(op.getKey().toUpperCase() + " " + path.getKey());
                    }
                }));
        assertThat(missing).as("operations whose request body has no example").isEmpty();
    }

    @Test
    void swaggerUiIsServed() {
        Http.Response ui = http.get("/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("Swagger UI");
    }
}
