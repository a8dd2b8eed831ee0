package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.plans.PlanRequest;
import io.loladeft.plans.PlanService;
import io.loladeft.registry.Architecture;
import io.loladeft.registry.BlockConfig;
import io.loladeft.registry.ModelRequest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A job's spec is a stored document: specs that PostgreSQL holds for jobs submitted by earlier versions read back
 * with the same meaning, and a spec is written in the same bytes as before, with the service's own JSON mapper.
 * The documents below are what those versions wrote (the first as of the channel and re-plan policies, the second
 * as of the first jobs, before optimizers, fused rounds and re-planning).
 */
@SpringBootTest(properties = "loladeft.role=api")
class StoredJobSettingsTest {

    /** A job with every setting given: AdamW, fused rounds, a fading channel, re-planned every round. */
    static final String CURRENT = """
            {"task":"SST2","dataDir":"/data/glue","tokenizerDir":"/data/tok",\
            "model":{"layers":2,"hidden":32,"heads":4,"intermediate":64,"vocab":100,"maxPositions":66},\
            "block":{"kind":"lora","rank":4,"alpha":8.0,"bottleneck":0},"rounds":3,\
            "optimizer":{"kind":"adamw","learningRate":0.001,"weightDecay":0.01,"warmupFraction":0.06,\
            "maxGradNorm":1.0},\
            "batchSize":16,"seqLen":64,"localIterations":1,"execution":"fused","fusedIterationFlops":1.5E9,\
            "evalEvery":0,"seed":7,"noisePsdDbmPerHz":-174.0,"predictedRoundLatencySeconds":0.25,\
            "devices":[{"name":"dev-0","layers":[1,3],"bandwidthHz":5000000.0,"computeFlops":1.0E12,\
            "txPowerDbm":20.0,"channelGainDb":-90.0,"predictedLatencySeconds":0.25,"iterationFlops":1.0E9,\
            "migrationBytes":0},{"name":"dev-1","layers":[2],"bandwidthHz":5000000.0,"computeFlops":1.0E12,\
            "txPowerDbm":20.0,"channelGainDb":-95.0,"predictedLatencySeconds":0.2,"iterationFlops":5.0E8,\
            "migrationBytes":0}],"channel":{"model":"rayleigh","coherenceRounds":1},"replan":"every-round",\
            "registered":["dev-0","dev-1"],"migrationBitsPerParam":96.0}""";

    /** A job of the first version: a top-level learning rate (read past), devices of seven fields, no head block. */
    static final String FIRST = """
            {"task":"SST2","dataDir":"/data/glue","tokenizerDir":"/data/tok",\
            "model":{"layers":2,"hidden":32,"heads":4,"intermediate":64,"vocab":100,"maxPositions":66},\
            "block":{"kind":"lora","rank":4,"alpha":8.0,"bottleneck":0},"rounds":2,"learningRate":0.05,\
            "batchSize":16,"seqLen":64,"localIterations":1,"evalEvery":0,"seed":7,"noisePsdDbmPerHz":-174.0,\
            "predictedRoundLatencySeconds":0.25,\
            "devices":[{"name":"dev-0","layers":[1],"bandwidthHz":5000000.0,"computeFlops":1.0E12,\
            "txPowerDbm":20.0,"channelGainDb":-90.0,"predictedLatencySeconds":0.25},\
            {"name":"dev-1","layers":[2],"bandwidthHz":5000000.0,"computeFlops":1.0E12,\
            "txPowerDbm":20.0,"channelGainDb":-95.0,"predictedLatencySeconds":0.2}]}""";

    @Autowired
    JobStore store;

    @Autowired
    JobService jobs;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlanService plans;

    /** Stores {@code spec} as a job row, as the version that wrote it did, and reads the job back. */
    private JobStore.JobRow stored(String spec) {
        List<PlanRequest.InlineDevice> fleet = List.of(
                new PlanRequest.InlineDevice("dev-0", 1e12, 8e9, 20.0, -90.0, null, null, null),
                new PlanRequest.InlineDevice("dev-1", 1e12, 8e9, 20.0, -95.0, null, null, null));
        ModelRequest model = new ModelRequest(
                null,
                new Architecture(2, 32, 4, 64, 100, 66),
                new BlockConfig(BlockConfig.Kind.LORA, 4, 8.0, null),
                null,
                null,
                null,
                null,
                null);
        UUID planId = plans.create(new PlanRequest(
                        null, 1e7, null, fleet, null, null, model, null, null, 2, null, null, null, null))
                .id();
        UUID id = UUID.randomUUID();
        // Cancelled: the test database is shared, and no worker of another test may pick this job up.
        jdbc.sql("INSERT INTO job (id, caller, request_hash, plan_id, task, spec, state, round, rounds, created_at)"
                        + " VALUES (?, 'tester', 'h', ?, 'SST2', ?::jsonb, 'CANCELLED', 1, 3, now())")
                .params(id, planId, spec)
                .update();
        return store.find(id).orElseThrow();
    }

    @Test
    void aSpecReadsBackAndIsWrittenInTheSameBytes() {
        JobSettings spec = stored(CURRENT).spec();
        assertThat(spec.optimizer().kind()).isEqualTo(JobSettings.Optimizer.Kind.ADAMW);
        assertThat(spec.execution()).isEqualTo(JobSettings.Execution.FUSED);
        assertThat(spec.replan()).isEqualTo(JobSettings.Replan.EVERY_ROUND);
        assertThat(spec.block().kind()).isEqualTo(BlockConfig.Kind.LORA);
        assertThat(spec.schedulesRounds()).isTrue();
        assertThat(store.write(spec)).isEqualTo(CURRENT);
    }

    @Test
    void aSpecOfTheFirstJobsReadsBackWithTheDefaultsOfItsTime() {
        JobStore.JobRow job = stored(FIRST);
        JobSettings spec = job.spec();
        assertThat(spec.optimizer()).isNull();
        assertThat(spec.optimizerOrLegacy().kind()).isEqualTo(JobSettings.Optimizer.Kind.SGD);
        assertThat(spec.execution()).isEqualTo(JobSettings.Execution.PER_DEVICE);
        assertThat(spec.replan()).isEqualTo(JobSettings.Replan.STATIC);
        assertThat(spec.schedulesRounds()).isFalse();
        assertThat(spec.device("dev-1").layers())
                .as("the head's block goes with the top layer")
                .containsExactly(2, 3);
        JobView.Settings settings = jobs.view(job).settings();
        assertThat(settings.optimizer()).isEqualTo("sgd");
        assertThat(settings.learningRate()).isEqualTo(1e-3);
        assertThat(settings.execution()).isEqualTo("per-device");
        assertThat(settings.replan()).isEqualTo("static");
    }
}
