package io.loladeft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.loladeft.finetune.TestData;
import io.loladeft.support.ApiTest;
import io.loladeft.support.RecordingHttpClient;
import io.loladeft.support.TestAuth;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.ApiResponse;
import org.openapitools.client.api.DevicesApi;
import org.openapitools.client.api.JobsApi;
import org.openapitools.client.api.ModelsApi;
import org.openapitools.client.api.PlansApi;
import org.openapitools.client.model.Architecture;
import org.openapitools.client.model.BlockConfig;
import org.openapitools.client.model.Comparison;
import org.openapitools.client.model.DeviceBatchRequest;
import org.openapitools.client.model.DeviceRequest;
import org.openapitools.client.model.DeviceView;
import org.openapitools.client.model.InlineDevice;
import org.openapitools.client.model.JobProgressEvent;
import org.openapitools.client.model.JobRequest;
import org.openapitools.client.model.JobStateEvent;
import org.openapitools.client.model.JobView;
import org.openapitools.client.model.ModelRequest;
import org.openapitools.client.model.ModelView;
import org.openapitools.client.model.PageViewDeviceView;
import org.openapitools.client.model.PlanRequest;
import org.openapitools.client.model.PlanView;
import org.openapitools.client.model.Problem;
import org.openapitools.client.model.Row;
import org.openapitools.client.model.TrainingRequest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The committed contract, used as an integrator would: the Java client that openapi-generator makes
 * from openapi/openapi.yaml at build time (library native, default options; see the pom and
 * docs/api.md) drives every endpoint of the running service over real HTTP and PostgreSQL. Nothing
 * here speaks HTTP by hand: if the spec and the service disagree so that a generated client cannot
 * call an endpoint or read its answer, this test fails. Its exchanges are recorded
 * ({@link RecordingHttpClient}), so what the generated client sends and gets is also checked against
 * the spec after each test, as every full-stack test's is.
 *
 * <p>Registries (batch, create, conditional upsert, conditional delete, presets, paging), a plan by
 * label selector, compare, the timeline; a job on a tiny seeded RoBERTa over the SST-2 fixture,
 * submitted with an {@code Idempotency-Key}, read to SUCCEEDED with its events, chart, blocks and
 * model archive; and a job with an inline plan, cancelled. The worker runs in this process, so the
 * context is closed afterwards (as in JobApiTest).
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class GeneratedClientTest extends ApiTest {

    static final Path GLUE = TestData.resource("glue");
    static final Path TOKENIZER = TestData.robertaBaseTokenizer();

    @DynamicPropertySource
    static void jobs(DynamicPropertyRegistry registry) {
        registry.add("loladeft.role", () -> "both");
        registry.add("loladeft.files.roots", () -> GLUE + "," + TOKENIZER);
        registry.add("loladeft.jobs.worker.poll", () -> "100ms");
        registry.add("loladeft.jobs.worker.host-flops", () -> "1e11");
        registry.add("loladeft.jobs.events-poll", () -> "100ms");
        registry.add("loladeft.limits.max-concurrent-jobs", () -> "3");
        registry.add("loladeft.limits.max-job-rounds", () -> "5000");
    }

    ApiClient client;
    DevicesApi devices;
    ModelsApi models;
    PlansApi plans;
    JobsApi jobs;

    @BeforeEach
    void generatedClient() {
        client = new ApiClient();
        client.setHttpClientBuilder(RecordingHttpClient.builder(port)); // so the contract check sees its exchanges
        client.setScheme("http");
        client.setHost("localhost");
        client.setPort(port);
        client.setBasePath("");
        client.setReadTimeout(Duration.ofSeconds(60));
        client.setRequestInterceptor(request -> request.header("X-API-Key", TestAuth.OPERATOR_KEY));
        devices = new DevicesApi(client);
        models = new ModelsApi(client);
        plans = new PlansApi(client);
        jobs = new JobsApi(client);
    }

    /** A tiny RoBERTa (two layers of width 32) with LoRA blocks: a job on it runs in seconds. */
    static ModelRequest tinyModel() {
        return new ModelRequest()
                .architecture(new Architecture()
                        .layers(2)
                        .hidden(32)
                        .heads(4)
                        .intermediate(64)
                        .vocab(50265)
                        .maxPositions(66))
                .block(new BlockConfig().kind(BlockConfig.KindEnum.LORA).rank(4).alpha(8.0));
    }

    static DeviceRequest device(String name, double flops, double memory, double power, double gain, String zone) {
        return new DeviceRequest()
                .name(name)
                .computeFlops(flops)
                .memoryBytes(memory)
                .txPowerDbm(power)
                .channelGainDb(gain)
                .labels(Map.of("zone", zone));
    }

    @Test
    void registriesThroughTheGeneratedClient() throws Exception {
        String zone = unique("client");

        // batch: the whole fleet in one transaction
        ApiResponse<List<DeviceView>> fleet = devices.registerFleetWithHttpInfo(new DeviceBatchRequest()
                .devices(List.of(
                        device(zone + "-a", 2e12, 8e9, 23, -90, zone), device(zone + "-b", 1e12, 8e9, 20, -95, zone))));
        assertThat(fleet.getStatusCode()).isEqualTo(201);
        assertThat(fleet.getData()).extracting(DeviceView::getName).containsExactly(zone + "-a", zone + "-b");
        assertThat(fleet.getData().get(0).getLabels()).containsEntry("zone", zone);

        // create one: 201 with Location and ETag
        String name = zone + "-c";
        ApiResponse<DeviceView> created = devices.registerDeviceWithHttpInfo(device(name, 5e11, 4e9, 20, -100, zone));
        assertThat(created.getStatusCode()).isEqualTo(201);
        assertThat(header(created, "Location")).isEqualTo("/api/v1/devices/" + name);
        String etag = header(created, "ETag");
        assertThat(etag).isNotBlank();
        assertThat(created.getData().getComputeFlops()).isEqualTo(5e11);
        assertProblem(catchApi(() -> devices.registerDevice(device(name, 5e11, 4e9, 20, -100, zone))), 409);

        ApiResponse<DeviceView> read = devices.getDeviceWithHttpInfo(name);
        assertThat(read.getStatusCode()).isEqualTo(200);
        assertThat(header(read, "ETag")).isEqualTo(etag);
        assertThat(read.getData().getMemoryBytes()).isEqualTo(4e9);

        // list by label selector, sorted, paged
        PageViewDeviceView page = devices.listDevices("zone=" + zone, 0, 2, List.of("name,desc"));
        assertThat(page.getTotalItems()).isEqualTo(3);
        assertThat(page.getTotalPages()).isEqualTo(2);
        assertThat(page.getItems()).extracting(DeviceView::getName).containsExactly(zone + "-c", zone + "-b");

        // conditional upsert: replaces with the current ETag (200, new ETag), refuses a stale one (412)
        ApiResponse<DeviceView> replaced =
                devices.upsertDeviceWithHttpInfo(name, device(name, 6e11, 4e9, 20, -100, zone), etag);
        assertThat(replaced.getStatusCode()).isEqualTo(200);
        String newEtag = header(replaced, "ETag");
        assertThat(newEtag).isNotBlank().isNotEqualTo(etag);
        assertThat(replaced.getData().getComputeFlops()).isEqualTo(6e11);
        assertProblem(catchApi(() -> devices.upsertDevice(name, device(name, 7e11, 4e9, 20, -100, zone), etag)), 412);
        assertThat(devices.getDevice(name).getComputeFlops()).isEqualTo(6e11);
        // an upsert of a new name creates: 201 with Location
        String fresh = zone + "-d";
        ApiResponse<DeviceView> upserted =
                devices.upsertDeviceWithHttpInfo(fresh, device(fresh, 1e12, 8e9, 20, -95, zone), null);
        assertThat(upserted.getStatusCode()).isEqualTo(201);
        assertThat(header(upserted, "Location")).isEqualTo("/api/v1/devices/" + fresh);

        // conditional delete: a stale ETag is 412, the current one deletes (204), then the device is gone
        assertProblem(catchApi(() -> devices.deleteDevice(name, etag)), 412);
        ApiResponse<Void> deleted = devices.deleteDeviceWithHttpInfo(name, newEtag);
        assertThat(deleted.getStatusCode()).isEqualTo(204);
        assertProblem(catchApi(() -> devices.getDevice(name)), 404);
        assertThat(devices.deleteDeviceWithHttpInfo(fresh, null).getStatusCode())
                .isEqualTo(204);

        // models: create, read, conditional upsert, list, presets, delete
        String model = unique("client-model");
        ApiResponse<ModelView> registered =
                models.registerModelWithHttpInfo(tinyModel().name(model));
        assertThat(registered.getStatusCode()).isEqualTo(201);
        assertThat(header(registered, "Location")).isEqualTo("/api/v1/models/" + model);
        String modelEtag = header(registered, "ETag");
        assertThat(registered.getData().getArchitecture().getLayers()).isEqualTo(2);
        assertThat(registered.getData().getBlock().getKind()).isEqualTo(BlockConfig.KindEnum.LORA);
        ApiResponse<ModelView> modelRead = models.getModelWithHttpInfo(model);
        assertThat(header(modelRead, "ETag")).isEqualTo(modelEtag);
        ApiResponse<ModelView> modelReplaced = models.upsertModelWithHttpInfo(
                model, tinyModel().name(model).precision(ModelRequest.PrecisionEnum.BF16), modelEtag);
        assertThat(modelReplaced.getStatusCode()).isEqualTo(200);
        assertThat(modelReplaced.getData().getPrecision()).hasToString("bf16");
        assertProblem(catchApi(() -> models.upsertModel(model, tinyModel().name(model), modelEtag)), 412);
        assertThat(models.listModels(0, 500, List.of("name,asc")).getItems())
                .extracting(ModelView::getName)
                .contains(model);

        assertThat(models.listModelPresets())
                .extracting(ModelRequest::getName)
                .contains("roberta-base", "roberta-large", "all-minilm-l6-v2");
        String preset = unique("client-preset");
        ApiResponse<ModelView> fromPreset = models.registerModelPresetWithHttpInfo("roberta-base", preset);
        assertThat(fromPreset.getStatusCode()).isEqualTo(201);
        assertThat(header(fromPreset, "Location")).isEqualTo("/api/v1/models/" + preset);
        assertThat(fromPreset.getData().getArchitecture().getLayers()).isEqualTo(12);

        assertThat(models.deleteModelWithHttpInfo(preset, null).getStatusCode()).isEqualTo(204);
        assertProblem(catchApi(() -> models.deleteModel(model, modelEtag)), 412);
        assertThat(models.deleteModelWithHttpInfo(model, header(modelReplaced, "ETag"))
                        .getStatusCode())
                .isEqualTo(204);
        assertProblem(catchApi(() -> models.getModel(model)), 404);
    }

    @Test
    void planCompareTimelineAndAJobThroughTheGeneratedClient() throws Exception {
        String zone = unique("client-jobs");
        devices.registerFleet(new DeviceBatchRequest()
                .devices(List.of(
                        device(zone + "-a", 2e12, 8e9, 23, -90, zone),
                        device(zone + "-b", 1e12, 8e9, 20, -95, zone),
                        device(zone + "-c", 5e11, 4e9, 20, -100, zone))));
        String model = unique("client-tiny");
        models.registerModel(tinyModel().name(model));

        // plan: devices by label selector, the model by name; the client sends [] for the lists it was not given
        PlanRequest request = new PlanRequest()
                .bandwidthHz(2e7)
                .labelSelector("zone=" + zone)
                .model(new ModelRequest().name(model))
                .maxBlocksPerDevice(1)
                .training(new TrainingRequest().batchSize(4).seqLen(32).rounds(3));
        ApiResponse<PlanView> planned = plans.createPlanWithHttpInfo(request);
        assertThat(planned.getStatusCode()).isEqualTo(201);
        PlanView plan = planned.getData();
        assertThat(header(planned, "Location")).isEqualTo("/api/v1/plans/" + plan.getId());
        assertThat(plan.getAlgorithm()).isEqualTo("joint");
        // two layers' blocks and the head's, one per device: all three devices work
        assertThat(plan.getAssignments()).hasSize(3);
        assertThat(plan.getAssignments())
                .filteredOn(a -> Boolean.TRUE.equals(a.getHead()))
                .hasSize(1);
        assertThat(plan.getIdleDevices()).isEmpty();
        assertThat(plan.getRoundLatencySeconds()).isPositive();
        assertThat(plan.getTotalLatencySeconds()).isEqualTo(3 * plan.getRoundLatencySeconds());
        assertThat(plans.getPlan(plan.getId()).getRoundLatencySeconds()).isEqualTo(plan.getRoundLatencySeconds());
        assertThat(plans.listPlans(0, 500).getItems())
                .extracting(PlanView::getId)
                .contains(plan.getId());

        Comparison comparison = plans.comparePlans(request);
        assertThat(comparison.getRows()).extracting(Row::getAlgorithm).contains("joint", "crunch", "equal-bandwidth");
        assertThat(comparison.getRows()).anyMatch(r -> r.getRelativeToBest() != null && r.getRelativeToBest() == 1.0);

        String timeline = svg(plans.getPlanTimelineWithHttpInfo(plan.getId()));
        assertThat(timeline).startsWith("<svg").contains(zone + "-a");

        // a job, submitted with an Idempotency-Key: a repeat is the same job, another body under the key is 422
        String key = unique("client-key");
        JobRequest job = new JobRequest()
                .planId(plan.getId())
                .task("sst2")
                .dataDir(GLUE.toString())
                .tokenizerDir(TOKENIZER.toString())
                .rounds(3)
                .optimizer("sgd")
                .learningRate(0.05)
                .evalEvery(2)
                .seed(7L);
        ApiResponse<JobView> submitted = jobs.createJobWithHttpInfo(job, key);
        assertThat(submitted.getStatusCode()).isEqualTo(202);
        UUID id = submitted.getData().getId();
        assertThat(header(submitted, "Location")).isEqualTo("/api/v1/jobs/" + id);
        assertThat(header(submitted, "Retry-After")).isEqualTo("5");
        assertThat(submitted.getData().getState()).isIn(JobView.StateEnum.QUEUED, JobView.StateEnum.RUNNING);
        assertThat(submitted.getData().getSettings().getBatchSize()).isEqualTo(4);
        ApiResponse<JobView> repeat = jobs.createJobWithHttpInfo(job, key);
        assertThat(repeat.getStatusCode()).isEqualTo(202);
        assertThat(repeat.getData().getId()).isEqualTo(id);
        JobRequest another = copy(job).rounds(2);
        assertProblem(catchApi(() -> jobs.createJob(another, key)), 422);

        JobView done = await(id, j -> j.getState() == JobView.StateEnum.SUCCEEDED, Duration.ofMinutes(2));
        assertThat(done.getPlanId()).isEqualTo(plan.getId());
        assertThat(done.getProgress().getRound()).isEqualTo(3);
        assertThat(done.getRounds()).hasSize(3).allMatch(r -> r.getTrainingLoss() > 0);
        assertThat(done.getResult().getMetrics()).containsKey("accuracy");
        assertThat(done.getResult().getBlocks()).isEqualTo("/api/v1/jobs/" + id + "/blocks");
        assertThat(jobs.listJobs("SUCCEEDED", plan.getId(), 0, 20).getItems())
                .extracting(JobView::getId)
                .containsExactly(id);

        // events: state and progress, each data line one of the spec's event schemas; Last-Event-ID resumes
        List<Event> events = events(jobs.getJobEventsWithHttpInfo(id, null));
        assertThat(events)
                .extracting(Event::name)
                .containsExactly("state", "state", "progress", "progress", "progress", "state");
        List<JobStateEvent> states = new ArrayList<>();
        for (Event e : events) {
            if (e.name().equals("state")) {
                states.add(client.getObjectMapper().readValue(e.data(), JobStateEvent.class));
            } else {
                JobProgressEvent p = client.getObjectMapper().readValue(e.data(), JobProgressEvent.class);
                assertThat(p.getRounds()).isEqualTo(3);
                assertThat(p.getTrainingLoss()).isPositive();
            }
        }
        assertThat(states).extracting(s -> s.getState().getValue()).containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
        assertThat(states.get(2).getMetrics()).containsKey("accuracy");
        List<Event> rest =
                events(jobs.getJobEventsWithHttpInfo(id, events.get(3).id()));
        assertThat(rest)
                .extracting(Event::id)
                .containsExactly(events.get(4).id(), events.get(5).id());

        String chart = svg(jobs.getJobChartWithHttpInfo(id));
        assertThat(chart).startsWith("<svg").contains("training loss", "predicted by the plan");

        // blocks: safetensors (an 8-byte little-endian header length, then a JSON header)
        ApiResponse<File> blocks = jobs.getJobBlocksWithHttpInfo(id);
        assertThat(blocks.getStatusCode()).isEqualTo(200);
        assertThat(header(blocks, "Content-Disposition")).contains("job-" + id + "-blocks.safetensors");
        byte[] safetensors = Files.readAllBytes(blocks.getData().toPath());
        long headerLength = ByteBuffer.wrap(safetensors, 0, 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertThat(headerLength).isPositive().isLessThan(safetensors.length);
        assertThat(new String(safetensors, 8, (int) headerLength, StandardCharsets.UTF_8))
                .startsWith("{")
                .contains("lora");

        // model: a Hugging Face directory as a zip, with PEFT's adapter files for LoRA
        ApiResponse<File> archive = jobs.getJobModelWithHttpInfo(id);
        assertThat(archive.getStatusCode()).isEqualTo(200);
        assertThat(header(archive, "Content-Disposition")).contains("job-" + id + "-model.zip");
        assertThat(zipEntries(archive.getData().toPath()))
                .contains(
                        "config.json",
                        "model.safetensors",
                        "vocab.json",
                        "merges.txt",
                        "adapter_config.json",
                        "adapter_model.safetensors");
        Files.deleteIfExists(blocks.getData().toPath());
        Files.deleteIfExists(archive.getData().toPath());

        // cancel: a long job with an inline plan (devices and model inline) is cancelled; again is 409
        PlanRequest inline = new PlanRequest()
                .bandwidthHz(2e7)
                .maxBlocksPerDevice(2)
                .model(tinyModel())
                .devices(List.of(inline("a", 2e12, -90), inline("b", 1e12, -95)))
                .training(new TrainingRequest().batchSize(4).seqLen(32));
        JobView long_ = jobs.createJob(copy(job).planId(null).plan(inline).rounds(2000), null);
        ApiResponse<JobView> cancelled = jobs.cancelJobWithHttpInfo(long_.getId());
        assertThat(cancelled.getStatusCode()).isEqualTo(200);
        assertThat(cancelled.getData().getState()).isEqualTo(JobView.StateEnum.CANCELLED);
        assertThat(jobs.getJob(long_.getId()).getState()).isEqualTo(JobView.StateEnum.CANCELLED);
        assertProblem(catchApi(() -> jobs.cancelJob(long_.getId())), 409);
        assertProblem(catchApi(() -> jobs.getJobBlocks(long_.getId())), 409);
        assertProblem(catchApi(() -> jobs.getJobModel(long_.getId())), 409);
        assertProblem(catchApi(() -> jobs.getJob(UUID.randomUUID())), 404);
    }

    static InlineDevice inline(String name, double flops, double gain) {
        return new InlineDevice()
                .name(name)
                .computeFlops(flops)
                .memoryBytes(8e9)
                .txPowerDbm(20.0)
                .channelGainDb(gain);
    }

    /** A copy of a job request, through the client's own JSON. */
    JobRequest copy(JobRequest job) throws IOException {
        return client.getObjectMapper().readValue(client.getObjectMapper().writeValueAsString(job), JobRequest.class);
    }

    JobView await(UUID id, Predicate<JobView> until, Duration timeout) throws ApiException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        JobView job;
        do {
            job = jobs.getJob(id);
            if (until.test(job)) {
                return job;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < end);
        throw new AssertionError("job " + id + " did not get there in " + timeout + ": " + job);
    }

    record Event(String id, String name, String data) {}

    /** The server-sent events of a finished job's stream, as the generated client hands them over. */
    static List<Event> events(ApiResponse<?> response) throws IOException {
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).startsWith("text/event-stream");
        List<Event> events = new ArrayList<>();
        String id = null;
        String name = null;
        String data = null;
        for (String line : text(response.getData()).split("\n", -1)) {
            if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data = line.substring(5);
            } else if (line.isEmpty() && data != null) {
                events.add(new Event(id, name, data));
                id = name = data = null;
            }
        }
        return events;
    }

    static String svg(ApiResponse<?> response) throws IOException {
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).startsWith("image/svg+xml");
        return text(response.getData());
    }

    /** A text body as the client returns it: a String, or a downloaded File (binary in the spec). */
    static String text(Object body) throws IOException {
        if (body instanceof File f) {
            try {
                return Files.readString(f.toPath());
            } finally {
                Files.deleteIfExists(f.toPath());
            }
        }
        return (String) body;
    }

    static Set<String> zipEntries(Path zip) throws IOException {
        Set<String> names = new TreeSet<>();
        try (InputStream in = Files.newInputStream(zip);
                ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }

    static String header(ApiResponse<?> response, String name) {
        return response.getHeaders().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0))
                .findFirst()
                .orElse(null);
    }

    interface Call {
        void run() throws ApiException;
    }

    static ApiException catchApi(Call call) {
        ApiException e = catchThrowableOfType(ApiException.class, call::run);
        assertThat(e).as("the call should have been refused").isNotNull();
        return e;
    }

    /** The refusal as the client sees it: the status, problem details in the spec's Problem schema. */
    Problem assertProblem(ApiException e, int status) throws IOException {
        assertThat(e.getCode()).as(e.getResponseBody()).isEqualTo(status);
        assertThat(e.getResponseHeaders().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        Problem problem = client.getObjectMapper().readValue(e.getResponseBody(), Problem.class);
        assertThat(problem.getStatus()).isEqualTo(status);
        assertThat(problem.getType()).isEqualTo("about:blank");
        assertThat(problem.getTitle()).isNotBlank();
        return problem;
    }
}
