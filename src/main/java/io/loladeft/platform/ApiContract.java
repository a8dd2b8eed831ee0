package io.loladeft.platform;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.http.HttpStatus;

/**
 * What springdoc cannot see in the controllers, said once for the whole API so that the spec tells
 * the truth: the success status and headers each operation answers with (201 + Location + ETag,
 * 202 + Retry-After, ...), every error status it can answer as problem details, and the media types
 * that are not JSON (the blocks as binary, the timeline as SVG, the events as a described stream; each
 * {@code format: binary}, so that generated clients hand over the raw body instead of parsing it as JSON).
 * {@code SpecConformanceTest} checks real exchanges against the result.
 */
final class ApiContract implements OpenApiCustomizer {

    static final String PROBLEM_REF = "#/components/schemas/Problem";

    /** Operations that create: their 200 is really this status, with these headers. */
    private static final Map<String, Created> CREATED = Map.of(
            "registerDevice", new Created(201, "Created", "Location", "ETag"),
            "registerModel", new Created(201, "Created", "Location", "ETag"),
            "registerModelPreset", new Created(201, "Created", "Location", "ETag"),
            "createPlan", new Created(201, "Created; Location names the stored plan", "Location"),
            "createJob",
                    new Created(
                            202,
                            "Accepted and queued; poll Location after Retry-After seconds",
                            "Location",
                            "Retry-After"));

    private static final Set<String> UPSERTS = Set.of("upsertDevice", "upsertModel");
    private static final Set<String> VERSIONED_READS = Set.of("getDevice", "getModel");

    /** Error statuses beyond the ones every operation of its shape can answer (see {@link #errors}). */
    private static final Map<String, Set<Integer>> MORE_ERRORS = Map.ofEntries(
            Map.entry("registerDevice", Set.of(409)),
            Map.entry("registerFleet", Set.of(409)),
            Map.entry("registerModel", Set.of(409, 422)),
            Map.entry("registerModelPreset", Set.of(409)),
            Map.entry("upsertModel", Set.of(422)),
            Map.entry("createPlan", Set.of(422)),
            Map.entry("comparePlans", Set.of(422)),
            Map.entry("simulatePlans", Set.of(422)),
            Map.entry("createJob", Set.of(422, 429)),
            Map.entry("cancelJob", Set.of(409)),
            Map.entry("getJobBlocks", Set.of(409)),
            Map.entry("getJobModel", Set.of(409)));

    record Created(int status, String description, String... headers) {}

    @Override
    public void customise(OpenAPI api) {
        var components = api.getComponents();
        components.addSchemas("Problem", problemSchema());
        components.addHeaders(
                "Location",
                new Header()
                        .description("Where the created resource is")
                        .schema(new StringSchema().format("uri-reference")));
        components.addHeaders(
                "ETag",
                new Header()
                        .description("The resource's version, for If-Match")
                        .schema(new StringSchema().example("\"0\"")));
        components.addHeaders(
                "Retry-After",
                new Header().description("Seconds to wait before polling").schema(new IntegerSchema()));
        components.addHeaders(
                "Content-Disposition",
                new Header().description("attachment; filename=...").schema(new StringSchema()));
        components.addSchemas("JobStateEvent", stateEvent());
        components.addSchemas("JobProgressEvent", progressEvent());
        if (components.getSchemas() != null) {
            components.getSchemas().remove("SseEmitter");
        }

        api.getPaths().forEach((path, item) -> {
            if (!path.startsWith("/api/")) {
                return;
            }
            item.readOperationsMap().forEach((method, op) -> {
                success(op);
                media(op);
                ApiResponses responses = op.getResponses();
                responses.remove("4XX");
                for (int status : errors(path, method, op)) {
                    String name = "Problem" + status;
                    if (components.getResponses() == null
                            || !components.getResponses().containsKey(name)) {
                        ApiResponse problem = new ApiResponse()
                                .description(HttpStatus.valueOf(status).getReasonPhrase() + " (problem details)")
                                .content(new Content()
                                        .addMediaType(
                                                "application/problem+json",
                                                new MediaType().schema(new Schema<>().$ref(PROBLEM_REF))));
                        components.addResponses(name, status == 429 ? withHeaders(problem, "Retry-After") : problem);
                    }
                    responses.addApiResponse(
                            Integer.toString(status), new ApiResponse().$ref("#/components/responses/" + name));
                }
            });
        });
    }

    private static void success(Operation op) {
        String id = op.getOperationId();
        ApiResponses responses = op.getResponses();
        Created created = CREATED.get(id);
        if (created != null && responses.containsKey("200")) {
            ApiResponse ok = responses.remove("200");
            responses.addApiResponse(
                    Integer.toString(created.status()),
                    withHeaders(ok.description(created.description()), created.headers()));
        }
        if (UPSERTS.contains(id)) {
            ApiResponse ok = responses.get("200");
            withHeaders(ok.description("Replaced"), "ETag");
            responses.addApiResponse(
                    "201",
                    withHeaders(new ApiResponse().description("Created").content(ok.getContent()), "Location", "ETag"));
        }
        if (VERSIONED_READS.contains(id)) {
            withHeaders(responses.get("200"), "ETag");
        }
    }

    private static void media(Operation op) {
        switch (op.getOperationId()) {
            case "getJobBlocks" ->
                withHeaders(
                        op.getResponses()
                                .get("200")
                                .description("The blocks as safetensors")
                                .content(new Content()
                                        .addMediaType(
                                                "application/octet-stream",
                                                new MediaType().schema(new StringSchema().format("binary")))),
                        "Content-Disposition");
            case "getJobModel" ->
                withHeaders(
                        op.getResponses()
                                .get("200")
                                .description("The fine-tuned model: a Hugging Face directory as a zip archive")
                                .content(new Content()
                                        .addMediaType(
                                                "application/zip",
                                                new MediaType().schema(new StringSchema().format("binary")))),
                        "Content-Disposition");
            // Not JSON, so format binary: a plain string schema makes generated clients (openapi-generator's
            // native Java library, for one) parse the body as a JSON string and fail on the first '<' or 'id:'.
            case "getJobChart" ->
                op.getResponses()
                        .get("200")
                        .description("An SVG picture")
                        .content(new Content()
                                .addMediaType(
                                        "image/svg+xml", new MediaType().schema(new StringSchema().format("binary"))));
            case "getPlanTimeline" ->
                op.getResponses()
                        .get("200")
                        .description("An SVG picture")
                        .content(new Content()
                                .addMediaType(
                                        "image/svg+xml", new MediaType().schema(new StringSchema().format("binary"))));
            case "getJobEvents" -> {
                MediaType stream = new MediaType()
                        .schema(new StringSchema()
                                .format("binary")
                                .description(
                                        "Server-sent events (UTF-8 text); payloads: JobStateEvent, JobProgressEvent"))
                        .example("id:1\nevent:state\ndata:{\"state\":\"QUEUED\",\"round\":0,\"rounds\":3}\n\n"
                                + "id:2\nevent:state\ndata:{\"state\":\"RUNNING\",\"round\":1}\n\n"
                                + "id:3\nevent:progress\ndata:{\"round\":1,\"rounds\":3,\"trainingLoss\":0.69}\n\n");
                stream.addExtension(
                        "x-event-payloads",
                        Map.of(
                                "state", Map.of("$ref", "#/components/schemas/JobStateEvent"),
                                "progress", Map.of("$ref", "#/components/schemas/JobProgressEvent")));
                op.getResponses()
                        .get("200")
                        .description("""
                        A text/event-stream of server-sent events. Each has an `id:` (a sequence number; send the \
                        last one seen as Last-Event-ID to resume), an `event:` name and one `data:` line of JSON: \
                        `state` events carry a JobStateEvent, `progress` events a JobProgressEvent. The stream \
                        ends after the job's final state.""")
                        .content(new Content().addMediaType("text/event-stream", stream));
            }
            default -> {}
        }
    }

    /** The statuses an operation can answer with problem details, from its shape and {@link #MORE_ERRORS}. */
    static Set<Integer> errors(String path, PathItem.HttpMethod method, Operation op) {
        Set<Integer> codes = new TreeSet<>(List.of(401, 403, 500));
        boolean hasParams = op.getParameters() != null && !op.getParameters().isEmpty();
        if (hasParams || op.getRequestBody() != null) {
            codes.add(400);
        }
        if (path.contains("{")) {
            codes.add(404);
        }
        if (op.getRequestBody() != null) {
            codes.addAll(List.of(413, 415));
        }
        if (op.getParameters() != null
                && op.getParameters().stream().map(Parameter::getName).anyMatch("If-Match"::equals)) {
            codes.addAll(List.of(409, 412));
        }
        codes.addAll(MORE_ERRORS.getOrDefault(op.getOperationId(), Set.of()));
        return codes;
    }

    private static ApiResponse withHeaders(ApiResponse response, String... names) {
        for (String name : names) {
            response.addHeaderObject(name, new Header().$ref("#/components/headers/" + name));
        }
        return response;
    }

    private static Schema<?> problemSchema() {
        Schema<?> violation = new ObjectSchema()
                .addProperty("field", new StringSchema().description("JSON path of the offending field"))
                .addProperty("message", new StringSchema());
        violation.setRequired(List.of("field", "message"));
        Schema<?> problem = new ObjectSchema()
                .description("RFC 9457 problem details; no member is ever null")
                .addProperty("type", new StringSchema().format("uri-reference")._default("about:blank"))
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema().format("uri-reference"))
                .addProperty("errors", new ArraySchema().items(violation));
        problem.setRequired(List.of("type", "title", "status"));
        return problem;
    }

    private static Schema<?> stateEvent() {
        Schema<?> s = new ObjectSchema()
                .description("data of a `state` event: the job's state changed")
                .addProperty(
                        "state",
                        new StringSchema()._enum(List.of("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")))
                .addProperty("round", new IntegerSchema().description("with QUEUED and RUNNING"))
                .addProperty("rounds", new IntegerSchema().description("with QUEUED"))
                .addProperty("reason", new StringSchema().description("with FAILED and CANCELLED"))
                .addProperty("message", new StringSchema().description("with FAILED and CANCELLED"))
                .addProperty(
                        "metrics",
                        new ObjectSchema()
                                .additionalProperties(new NumberSchema())
                                .description("with SUCCEEDED: the final dev-set metrics"));
        s.setRequired(List.of("state"));
        return s;
    }

    private static Schema<?> progressEvent() {
        Schema<?> s = new ObjectSchema()
                .description("data of a `progress` event: a round was merged")
                .addProperty("round", new IntegerSchema())
                .addProperty("rounds", new IntegerSchema())
                .addProperty("trainingLoss", new NumberSchema())
                .addProperty(
                        "devMetrics",
                        new ObjectSchema()
                                .additionalProperties(new NumberSchema())
                                .description("when the round was evaluated"));
        s.setRequired(List.of("round", "rounds", "trainingLoss"));
        return s;
    }
}
