package io.loladeft.finetune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.loladeft.finetune.blocks.BlockKind;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A garbage collection in the middle of a training step must not change what the step computes.
 * DJL's CPU arrays made from Java data alias a direct buffer that only the Java array object keeps
 * alive; if autograd still holds such a tensor for backward after the Java side is gone, a
 * collection frees the memory under it and the gradient reads garbage (a changed result, or NaN).
 * This runs the same steps on layer 1 (the deepest backward: through every attention) once quietly
 * and once while another thread calls {@code System.gc()} without pause, and wants the same bytes.
 */
class GcDuringTrainingTest {

    @ParameterizedTest
    @ValueSource(strings = {"layer", "lora", "adapter"})
    void collectionsDuringStepsLeaveTheResultUnchanged(String kind) throws Exception {
        EncoderConfig c = EncoderConfig.tiny(90, 4, 2);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            batches.add(CooperativeRoundTest.randomBatch(c, 8, 24, 100 + i));
        }
        byte[] quiet = train(c, kind, batches);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread collector = new Thread(
                () -> {
                    while (running.get()) {
                        System.gc();
                        Thread.onSpinWait();
                    }
                },
                "gc-hammer");
        collector.setDaemon(true);
        collector.start();
        byte[] collected;
        try {
            collected = train(c, kind, batches);
        } finally {
            running.set(false);
            collector.join();
        }
        assertArrayEquals(quiet, collected, kind + ": blocks after steps with collections differ from a quiet run");
    }

    private static byte[] train(EncoderConfig c, String kind, List<Batch> batches) {
        BlockSpec spec = BlockSpec.defaults(BlockKind.parse(kind));
        try (DeviceTrainer t = new DeviceTrainer(ModelSource.seeded(c, 7), spec, OptimizerSpec.sgd(0.1f))) {
            return t.train(t.blockState(), List.of(1), batches).updatedBlocks();
        }
    }
}
