package io.loladeft.registry;

import io.loladeft.common.ETags;
import io.loladeft.common.PageView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
// No class-wide `produces`: a DELETE answers no body, so it must accept any Accept header
// (generated clients send application/problem+json, the only media type it can answer with).
@RequestMapping(path = "/api/v1/devices")
@Tag(name = "Devices", description = "The registry of edge devices that train parameter blocks")
class DeviceController {

    static final String EXAMPLE = """
            {"name": "jetson-01", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23,
             "channelGainDb": -90, "labels": {"zone": "lab-a"}}""";

    private final DeviceRegistry registry;

    DeviceController(DeviceRegistry registry) {
        this.registry = registry;
    }

    @PostMapping(consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "registerDevice",
            summary = "Register a device",
            description = "409 if the name is taken; PUT replaces.")
    ResponseEntity<DeviceView> create(
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE)))
                    DeviceRequest spec) {
        DeviceView view = registry.create(spec);
        return ResponseEntity.created(URI.create("/api/v1/devices/" + view.name()))
                .eTag(ETags.of(view.version()))
                .body(view);
    }

    @PostMapping(path = "/batch", consumes = "application/json", produces = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(
            operationId = "registerFleet",
            summary = "Register a whole fleet in one transaction",
            description = "All or nothing: one invalid or existing device rejects the batch.")
    List<DeviceView> createAll(
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject("""
                    {"devices": [
                      {"name": "jetson-01", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23, "channelGainDb": -90},
                      {"name": "phone-02", "computeFlops": 5.0e11, "memoryBytes": 4.0e9, "txPowerDbm": 20, "channelGainDb": -100}
                    ]}""")))
                    DeviceBatchRequest batch) {
        return registry.createAll(batch.devices());
    }

    @GetMapping(path = "/{name}", produces = "application/json")
    @Operation(
            operationId = "getDevice",
            summary = "Get a device",
            description = "The ETag header carries the version for If-Match.")
    ResponseEntity<DeviceView> get(@PathVariable String name) {
        DeviceView view = registry.get(name);
        return ResponseEntity.ok().eTag(ETags.of(view.version())).body(view);
    }

    @GetMapping(produces = "application/json")
    @Operation(
            operationId = "listDevices",
            summary = "List devices",
            description = "Paged (page, size, sort), filtered by a label selector.")
    PageView<DeviceView> list(
            @Parameter(description = "Kubernetes equality selector, e.g. zone=lab-a,tier!=backup")
                    @RequestParam(required = false)
                    String labelSelector,
            @ParameterObject @PageableDefault(size = 50) Pageable pageable) {
        return registry.list(LabelSelector.parse(labelSelector), pageable);
    }

    @PutMapping(path = "/{name}", consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "upsertDevice",
            summary = "Create or replace a device (idempotent)",
            description = "201 when created, 200 when replaced. If-Match makes the write conditional (412).")
    ResponseEntity<DeviceView> upsert(
            @PathVariable String name,
            @RequestHeader(name = "If-Match", required = false) String ifMatch,
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE)))
                    DeviceRequest spec) {
        Upserted<DeviceView> result = registry.upsert(name, spec, ifMatch);
        DeviceView view = result.value();
        return (result.created() ? ResponseEntity.created(URI.create("/api/v1/devices/" + name)) : ResponseEntity.ok())
                .eTag(ETags.of(view.version()))
                .body(view);
    }

    @PutMapping(path = "/{name}/channel", consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "reportDeviceChannel",
            summary = "Report a measured uplink channel gain",
            description = "Plans use the freshest report within loladeft.planning.channel-report-max-age instead of"
                    + " the device's mean channelGainDb. A report older than the one kept is not kept; the answer"
                    + " shows the device with the report it keeps. 400 for a measurement dated in the future.")
    DeviceView reportChannel(
            @PathVariable String name,
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(CHANNEL_EXAMPLE)))
                    ChannelReport report) {
        return registry.reportChannel(name, report);
    }

    static final String CHANNEL_EXAMPLE = """
            {"gainDb": -93.5, "measuredAt": "2026-11-30T12:00:00Z"}""";

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(
            operationId = "deleteDevice",
            summary = "Delete a device",
            description = "If-Match makes the delete conditional (412).")
    void delete(@PathVariable String name, @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        registry.delete(name, ifMatch);
    }

    /** A fleet registered in one transaction. */
    record DeviceBatchRequest(@NotEmpty List<@NotNull @Valid DeviceRequest> devices) {}
}
