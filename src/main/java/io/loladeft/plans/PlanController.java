package io.loladeft.plans;

import io.loladeft.common.PageView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/plans")
@Tag(name = "Plans", description = "Which device trains which blocks, and how much uplink bandwidth each gets")
class PlanController {

    static final String EXAMPLE = """
            {"algorithm": "joint", "bandwidthHz": 2.0e7, "maxBlocksPerDevice": 2,
             "devices": [
               {"name": "jetson-01", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23, "channelGainDb": -90},
               {"name": "jetson-02", "computeFlops": 1.5e12, "memoryBytes": 8.0e9, "txPowerDbm": 23, "channelGainDb": -95},
               {"name": "phone-03", "computeFlops": 5.0e11, "memoryBytes": 4.0e9, "txPowerDbm": 20, "channelGainDb": -100},
               {"name": "phone-04", "computeFlops": 4.0e11, "memoryBytes": 4.0e9, "txPowerDbm": 20, "channelGainDb": -105}
             ],
             "model": {"architecture": {"layers": 4, "hidden": 768, "heads": 12, "intermediate": 3072, "vocab": 50265, "maxPositions": 514},
                       "block": {"kind": "lora", "rank": 8, "alpha": 16}},
             "training": {"batchSize": 16, "seqLen": 128, "localIterations": 1, "rounds": 100}}""";

    private final PlanService plans;

    PlanController(PlanService plans) {
        this.plans = plans;
    }

    @PostMapping(consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "createPlan",
            summary = "Plan a round for a fleet",
            description = "201 with Location. 422 names the blocks and devices at fault when no plan exists.")
    ResponseEntity<PlanView> create(
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE)))
                    PlanRequest request) {
        PlanView plan = plans.create(request);
        return ResponseEntity.created(URI.create("/api/v1/plans/" + plan.id())).body(plan);
    }

    @PostMapping(path = "/compare", consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "comparePlans",
            summary = "Every algorithm on the same input",
            description = "One row per algorithm with its latency relative to the best row that keeps the request's"
                    + " constraints; a row that breaks one names it in breaks; all rows share the time budget;"
                    + " nothing is stored.")
    Comparison compare(
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE)))
                    PlanRequest request) {
        return plans.compare(request);
    }

    @GetMapping(path = "/{id}", produces = "application/json")
    @Operation(operationId = "getPlan", summary = "Get a stored plan")
    PlanView get(@PathVariable UUID id) {
        return plans.get(id);
    }

    @GetMapping(produces = "application/json")
    @Operation(operationId = "listPlans", summary = "List stored plans, newest first")
    PageView<PlanView> list(
            @RequestParam(defaultValue = "0") @Min(0) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(500) int size) {
        return plans.list(page, size);
    }

    @GetMapping(path = "/{id}/timeline.svg", produces = "image/svg+xml")
    @Operation(
            operationId = "getPlanTimeline",
            summary = "A plan's round as an SVG timeline",
            description = "Per device: compute, then upload; the bottleneck device outlined in red.")
    String timeline(@PathVariable UUID id) {
        return plans.timeline(id);
    }
}
