package io.loladeft.jobs;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.PageView;
import io.loladeft.common.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

@RestController
@RequestMapping("/api/v1/jobs")
@Tag(name = "Jobs", description = "Run a plan: cooperative fine-tuning rounds on a pool of workers")
class JobController {

    static final String EXAMPLE = """
            {"plan": {"bandwidthHz": 2.0e7, "maxBlocksPerDevice": 7,
                      "devices": [
                        {"name": "jetson-01", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23, "channelGainDb": -90},
                        {"name": "phone-02", "computeFlops": 5.0e11, "memoryBytes": 4.0e9, "txPowerDbm": 20, "channelGainDb": -100}],
                      "model": {"architecture": {"layers": 12, "hidden": 768, "heads": 12, "intermediate": 3072,
                                                 "vocab": 50265, "maxPositions": 514},
                                "block": {"kind": "lora", "rank": 8, "alpha": 16}},
                      "training": {"batchSize": 16, "seqLen": 64, "rounds": 20}},
             "task": "sst2", "dataDir": "glue", "tokenizerDir": "roberta-base", "learningRate": 0.001,
             "evalEvery": 5, "seed": 7, "deadlineSeconds": 3600}""";

    /** Seconds a client should wait before polling a job it just submitted. */
    static final String RETRY_AFTER = "5";

    private final JobService jobs;
    private final JobEvents events;

    JobController(JobService jobs, JobEvents events) {
        this.jobs = jobs;
        this.events = events;
    }

    @PostMapping(consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "createJob",
            summary = "Submit a fine-tuning job",
            description = "202 with Location and Retry-After. With an Idempotency-Key, a repeat of the same body"
                    + " returns the same job; the same key with another body is 422.")
    ResponseEntity<JobView> create(
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE)))
                    JobRequest request,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            Principal principal) {
        JobService.Submitted s = jobs.submit(request, caller(principal), idempotencyKey);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/v1/jobs/" + s.job().id()))
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER)
                .body(s.job());
    }

    @GetMapping(path = "/{id}", produces = "application/json")
    @Operation(
            operationId = "getJob",
            summary = "A job: state, conditions, progress, devices, per-round metrics, result")
    JobView get(@PathVariable UUID id) {
        return jobs.get(id);
    }

    @GetMapping(produces = "application/json")
    @Operation(
            operationId = "listJobs",
            summary = "Jobs, newest first, optionally by state and plan",
            description = "Items are summaries: no per-device status or per-round metrics.")
    PageView<JobView> list(
            @RequestParam(required = false) JobState state,
            @RequestParam(required = false) UUID planId,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(500) int size) {
        return jobs.list(state, planId, page, size);
    }

    @PostMapping(path = "/{id}/cancel", produces = "application/json")
    @Operation(
            operationId = "cancelJob",
            summary = "Cancel a queued or running job; its open items are withdrawn",
            description = "409 if the job has already ended.")
    JobView cancel(@PathVariable UUID id, Principal principal) {
        return jobs.cancel(id, caller(principal));
    }

    @GetMapping(path = "/{id}/blocks", produces = "application/octet-stream")
    @Operation(
            operationId = "getJobBlocks",
            summary = "The fine-tuned blocks as safetensors",
            description = "409 until the job has SUCCEEDED.")
    ResponseEntity<byte[]> blocks(@PathVariable UUID id) {
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"job-" + id + "-blocks.safetensors\"")
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(jobs.blocks(id));
    }

    @GetMapping(path = "/{id}/model", produces = "application/zip")
    @Operation(
            operationId = "getJobModel",
            summary = "The fine-tuned model as a Hugging Face directory (zip)",
            description = "config.json, model.safetensors (LoRA merged) and the tokenizer, which transformers'"
                    + " AutoModelForSequenceClassification loads; for LoRA also PEFT's adapter_config.json and"
                    + " adapter_model.safetensors. 409 until the job has SUCCEEDED.")
    ResponseEntity<StreamingResponseBody> model(@PathVariable UUID id) {
        ModelExport.Archive archive = jobs.model(id);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"job-" + id + "-model.zip\"")
                .contentType(MediaType.parseMediaType("application/zip"))
                .body(archive::writeTo);
    }

    @GetMapping(path = "/{id}/chart.svg", produces = "image/svg+xml")
    @Operation(
            operationId = "getJobChart",
            summary = "A job's rounds as an SVG chart",
            description = "Per round: the training loss, the dev metrics where evaluated, and the round latency"
                    + " the plan predicted against the emulated one. Drawn from what has been merged so far.")
    String chart(@PathVariable UUID id) {
        return JobChartSvg.render(jobs.get(id));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(
            operationId = "getJobEvents",
            summary = "Server-sent events: progress and state changes",
            description = "Event types `state` and `progress`; the id is a sequence number, so a client resumes"
                    + " with Last-Event-ID. The stream ends after the job's final state.")
    SseEmitter events(
            @PathVariable UUID id, @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        jobs.requireExists(id);
        long after = 0;
        if (lastEventId != null) {
            try {
                after = Long.parseLong(lastEventId.trim());
            } catch (NumberFormatException e) {
                throw Problems.badRequest(
                        "Last-Event-ID must be an event id",
                        List.of(new FieldViolation("Last-Event-ID", "must be a number")));
            }
        }
        return events.stream(id, after);
    }

    private static String caller(Principal principal) {
        return principal == null ? "anonymous" : principal.getName();
    }
}
