package io.loladeft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import org.junit.jupiter.api.Test;

/** The model registry and its presets over real HTTP and PostgreSQL. */
class ModelApiTest extends ApiTest {

    static String model(String name) {
        return """
                {"name": "%s",
                 "architecture": {"layers": 4, "hidden": 64, "heads": 4, "intermediate": 256, "vocab": 1000, "maxPositions": 130},
                 "block": {"kind": "adapter", "bottleneck": 16}, "precision": "fp16"}""".formatted(name);
    }

    @Test
    void createWithDefaultsGetReplaceDelete() {
        String name = unique("m");
        Http.Response created = http.post("/api/v1/models", model(name));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("block").path("kind").asString()).isEqualTo("adapter");
        assertThat(created.json().path("precision").asString()).isEqualTo("fp16");

        String bare = unique("bare");
        Http.Response defaults = http.post("/api/v1/models", """
                {"name": "%s", "architecture": {"layers": 4, "hidden": 64, "heads": 4, "intermediate": 256,
                 "vocab": 1000, "maxPositions": 130}}""".formatted(bare));
        assertThat(defaults.status()).as(defaults.body()).isEqualTo(201);
        assertThat(defaults.json().path("block").path("kind").asString()).isEqualTo("lora");
        assertThat(defaults.json().path("block").path("rank").asInt()).isEqualTo(8);
        assertThat(defaults.json().path("precision").asString()).isEqualTo("fp32");

        assertProblem(http.post("/api/v1/models", model(name)), 409);
        Http.Response replaced = http.put(
                "/api/v1/models/" + name,
                model(name).replace("\"precision\": \"fp16\"", "\"precision\": \"bf16\""),
                created.header("ETag"));
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(http.get("/api/v1/models/" + name).json().path("precision").asString())
                .isEqualTo("bf16");
        assertProblem(http.put("/api/v1/models/" + name, model(name), created.header("ETag")), 412);
        assertThat(http.delete("/api/v1/models/" + name, null).status()).isEqualTo(204);
        assertProblem(http.get("/api/v1/models/" + name), 404);
    }

    @Test
    void presetsCanBeRegisteredByName() {
        Http.Response presets = http.get("/api/v1/model-presets");
        assertThat(presets.status()).isEqualTo(200);
        assertThat(presets.body()).contains("roberta-base", "roberta-large");

        String name = unique("rb");
        Http.Response created = http.post("/api/v1/model-presets/roberta-base?name=" + name, "");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("architecture").path("hidden").asInt()).isEqualTo(768);
        assertThat(http.get("/api/v1/models/" + name)
                        .json()
                        .path("architecture")
                        .path("layers")
                        .asInt())
                .isEqualTo(12);
        assertProblem(http.post("/api/v1/model-presets/gpt-17", ""), 404);
    }

    @Test
    void inconsistentOrMalformedModelsNameTheirFields() {
        assertThat(assertProblem(
                                http.post("/api/v1/models", model("bad1").replace("\"heads\": 4", "\"heads\": 3")), 400)
                        .errorFields())
                .containsExactly("architecture.heads");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/models",
                                        model("bad2")
                                                .replace(
                                                        "\"kind\": \"adapter\", \"bottleneck\": 16",
                                                        "\"kind\": \"lora\"")),
                                400)
                        .errorFields())
                .containsExactly("block");
        Http.Response kind =
                assertProblem(http.post("/api/v1/models", model("bad3").replace("adapter", "prefix")), 400);
        assertThat(kind.errorFields()).containsExactly("block.kind");
        assertThat(kind.body()).contains("lora", "adapter", "layer");
        assertThat(assertProblem(
                                http.post("/api/v1/models", model("bad4").replace("\"layers\": 4", "\"layers\": 0")),
                                400)
                        .errorFields())
                .containsExactly("architecture.layers");
        assertThat(assertProblem(
                                http.post("/api/v1/models", model("bad5").replace("\"layers\": 4", "\"layers\": 4.5")),
                                400)
                        .errorFields())
                .containsExactly("architecture.layers");
        assertThat(assertProblem(http.post("/api/v1/models", "{\"name\": \"bad6\"}"), 400)
                        .errorFields())
                .containsExactly("architecture");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/models",
                                        model("bad7")
                                                .replace(
                                                        "\"precision\"",
                                                        "\"weightsDir\": \"../../etc\", \"precision\"")),
                                400)
                        .errorFields())
                .containsExactly("weightsDir");
        assertThat(assertProblem(
                                http.post(
                                        "/api/v1/models",
                                        model("bad8")
                                                .replace("\"precision\"", "\"tokenizerDir\": \"/etc\", \"precision\"")),
                                400)
                        .errorFields())
                .containsExactly("tokenizerDir");
    }
}
