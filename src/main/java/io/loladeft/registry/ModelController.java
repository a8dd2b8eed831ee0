package io.loladeft.registry;

import io.loladeft.common.ETags;
import io.loladeft.common.PageView;
import io.loladeft.common.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.data.domain.Pageable;
import org.springframework.data.web.PageableDefault;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Models", description = "The registry of foundation models and their parameter blocks")
class ModelController {

    static final String EXAMPLE = """
            {"name": "roberta-base-lora8",
             "architecture": {"layers": 12, "hidden": 768, "heads": 12, "intermediate": 3072, "vocab": 50265, "maxPositions": 514},
             "block": {"kind": "lora", "rank": 8, "alpha": 16}, "precision": "fp32"}""";

    private final ModelRegistry registry;

    ModelController(ModelRegistry registry) {
        this.registry = registry;
    }

    @PostMapping(path = "/api/v1/models", consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "registerModel",
            summary = "Register a model",
            description = "409 if the name is taken; PUT replaces.")
    ResponseEntity<ModelView> create(
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE)))
                    ModelRequest body) {
        return created(registry.create(body));
    }

    @GetMapping(path = "/api/v1/model-presets", produces = "application/json")
    @Operation(operationId = "listModelPresets", summary = "List the published shapes that can be registered by name")
    List<ModelRequest> presets() {
        return registry.presets();
    }

    @PostMapping(path = "/api/v1/model-presets/{preset}", produces = "application/json")
    @Operation(
            operationId = "registerModelPreset",
            summary = "Register a preset (roberta-base, roberta-large) as a model",
            description = "The model takes the preset's name unless ?name= gives another.")
    ResponseEntity<ModelView> createFromPreset(
            @PathVariable String preset, @RequestParam(required = false) String name) {
        return created(registry.createFromPreset(preset, name));
    }

    @GetMapping(path = "/api/v1/models/{name}", produces = "application/json")
    @Operation(
            operationId = "getModel",
            summary = "Get a model",
            description = "The ETag header carries the version for If-Match.")
    ResponseEntity<ModelView> get(@PathVariable String name) {
        ModelView view = registry.findByName(name).orElseThrow(() -> Problems.notFound("model", name));
        return ResponseEntity.ok().eTag(ETags.of(view.version())).body(view);
    }

    @GetMapping(path = "/api/v1/models", produces = "application/json")
    @Operation(operationId = "listModels", summary = "List models", description = "Paged (page, size, sort).")
    PageView<ModelView> list(@ParameterObject @PageableDefault(size = 50) Pageable pageable) {
        return registry.list(pageable);
    }

    @PutMapping(path = "/api/v1/models/{name}", consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "upsertModel",
            summary = "Create or replace a model (idempotent)",
            description = "201 when created, 200 when replaced. If-Match makes the write conditional (412).")
    ResponseEntity<ModelView> upsert(
            @PathVariable String name,
            @RequestHeader(name = "If-Match", required = false) String ifMatch,
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE)))
                    ModelRequest body) {
        Upserted<ModelView> result = registry.upsert(name, body, ifMatch);
        return result.created()
                ? created(result.value())
                : ResponseEntity.ok().eTag(ETags.of(result.value().version())).body(result.value());
    }

    @DeleteMapping("/api/v1/models/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(
            operationId = "deleteModel",
            summary = "Delete a model",
            description = "If-Match makes the delete conditional (412).")
    void delete(@PathVariable String name, @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        registry.delete(name, ifMatch);
    }

    private static ResponseEntity<ModelView> created(ModelView view) {
        return ResponseEntity.created(URI.create("/api/v1/models/" + view.name()))
                .eTag(ETags.of(view.version()))
                .body(view);
    }
}
