package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.TorchThread;
import io.loladeft.registry.BlockConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A worker's cached backbone serves job after job: whatever an earlier job trained it to, a later
 * job's round 1 starts from the model's seeded blocks, bit for bit what a fresh worker's backbone
 * gives, with either optimizer.
 */
class BackbonesTest {

    @TempDir
    Path modelCache;

    @BeforeAll
    static void torch() {
        TorchThread.prepare(1);
    }

    /** A seeded three-layer model (the vocabulary covers HeldBlocksTest's batches) with layer blocks. */
    static JobSettings spec(JobSettings.Optimizer.Kind optimizer) {
        List<JobSettings.DeviceRun> devices =
                List.of(new JobSettings.DeviceRun("a", List.of(1, 2, 3, 4), 1e6, 1e12, 20, -90, 0.5, 1e9));
        return new JobSettings(
                "SST2",
                "/data",
                "/tok",
                null,
                null,
                new JobSettings.Shape(3, 32, 4, 64, 90, 20),
                new BlockConfig(BlockConfig.Kind.LAYER, null, null, null),
                3,
                new JobSettings.Optimizer(optimizer, 1e-2, 0.01, 0, 0),
                4,
                8,
                1,
                JobSettings.Execution.FUSED,
                1e9,
                0,
                3,
                -174,
                0.5,
                devices,
                null,
                null,
                null,
                0);
    }

    /** The job's round-1 blocks on a backbone of its own, as a worker that just started builds it. */
    private Map<String, HostTensor> fresh(JobSettings job) {
        try (Backbones own = new Backbones(modelCache)) {
            return own.backbone(job).initialBlocks(Backbones.optimizer(job));
        }
    }

    @ParameterizedTest
    @CsvSource({"ADAMW, SGD", "SGD, ADAMW", "ADAMW, ADAMW"})
    void aLaterJobStartsFromTheSeededBlocksWhateverTheCachedTrainerLearned(
            JobSettings.Optimizer.Kind first, JobSettings.Optimizer.Kind second) {
        JobSettings a = spec(first);
        JobSettings b = spec(second);
        Map<String, HostTensor> expected = fresh(b);
        try (Backbones cache = new Backbones(modelCache)) {
            Backbones.Backbone backbone = cache.backbone(a);
            backbone.held().configure(Backbones.optimizer(a));
            backbone.held().hold(backbone.initialBlocks(Backbones.optimizer(a)));
            backbone.held().train(List.of(1, 2, 3, 4), HeldBlocksTest.batches(1));
            Map<String, HostTensor> trained = backbone.held()
                    .train(List.of(1, 2, 3, 4), HeldBlocksTest.batches(2))
                    .blocks();
            assertThat(trained.keySet().stream()
                            .filter(t -> !DeviceTrainer.isOptimizerState(t))
                            .filter(t -> !Arrays.equals(
                                    trained.get(t).data(), expected.get(t).data())))
                    .as("job a trained the cached trainer's blocks away from the seeded ones")
                    .isNotEmpty();

            assertThat(cache.backbone(b))
                    .as("one backbone per model and blocks")
                    .isSameAs(backbone);
            Map<String, HostTensor> start = backbone.initialBlocks(Backbones.optimizer(b));
            assertThat(start.keySet()).containsExactlyElementsOf(expected.keySet());
            assertThat(Safetensors.write(start)).isEqualTo(Safetensors.write(expected));
            assertThat(start.keySet().stream().anyMatch(DeviceTrainer::isOptimizerState))
                    .as("a fresh optimizer state rides along with adamw only")
                    .isEqualTo(second == JobSettings.Optimizer.Kind.ADAMW);
        }
    }
}
