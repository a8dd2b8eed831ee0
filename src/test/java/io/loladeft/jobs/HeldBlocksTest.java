package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.Merge;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import io.loladeft.finetune.train.TorchThread;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A trainer that keeps what it holds trains exactly as one that loads the whole global state every
 * item (the engine's own loop, DeviceTrainer.train on bytes and Merge on bytes), with AdamW and
 * dropout on, and loads only what changed: nothing after a fused round, the previous device's blocks
 * between per-device items.
 */
class HeldBlocksTest {

    static final EncoderConfig CONFIG = EncoderConfig.roberta(3, 32, 4, 64, 90, 20, 2);
    static final OptimizerSpec ADAMW = OptimizerSpec.adamw(1e-2f, 0.01f);
    // three layers and the task head's block (4)
    static final List<List<Integer>> DEVICES = List.of(List.of(1), List.of(2, 3, 4));

    @BeforeAll
    static void torch() {
        TorchThread.prepare(1);
    }

    static List<Batch> batches(int round) {
        SplittableRandom r = new SplittableRandom(round);
        int b = 4;
        int s = 8;
        long[] ids = new long[b * s];
        long[] mask = new long[b * s];
        float[] y = new float[b];
        for (int i = 0; i < b * s; i++) {
            ids[i] = i % s == 0 ? 0 : 3 + r.nextInt(80);
            mask[i] = 1;
        }
        for (int i = 0; i < b; i++) {
            y[i] = r.nextInt(2);
        }
        return List.of(new Batch(b, s, ids, mask, y));
    }

    @Test
    void perDeviceItemsFromHeldBlocksGiveTheLoadingLoopsBytes() {
        try (DeviceTrainer loading = new DeviceTrainer(ModelSource.seeded(CONFIG, 3), BlockSpec.layer(), ADAMW);
                DeviceTrainer keeping = new DeviceTrainer(ModelSource.seeded(CONFIG, 3), BlockSpec.layer(), ADAMW)) {
            byte[] global = loading.blockState();
            HeldBlocks held = new HeldBlocks(keeping);
            held.configure(ADAMW);
            Map<String, HostTensor> state = Safetensors.read(keeping.blockState(), "initial");
            for (int round = 1; round <= 3; round++) {
                List<byte[]> updates = new ArrayList<>();
                List<Map<String, HostTensor>> outputs = new ArrayList<>();
                for (int k = 0; k < DEVICES.size(); k++) {
                    Engine.getInstance().setRandomSeed(round);
                    updates.add(loading.train(global, DEVICES.get(k), batches(round))
                            .updatedBlocks());
                    Engine.getInstance().setRandomSeed(round);
                    int loaded = held.hold(state);
                    if (round == 1 && k == 0) {
                        assertThat(loaded).as("first use loads everything").isEqualTo(state.size());
                    } else {
                        // what the previous item trained, or the merge changed, and the optimizer state it dropped
                        assertThat(loaded).isStrictlyBetween(0, state.size());
                    }
                    outputs.add(held.train(DEVICES.get(k), batches(round)).blocks());
                }
                global = Merge.apply(global, updates, true);
                state = RoundMerge.next(state, outputs);
                assertThat(Safetensors.write(state)).as("round %d", round).isEqualTo(global);
            }
        }
    }

    @Test
    void afterAFusedRoundNothingIsLoaded() {
        try (DeviceTrainer keeping = new DeviceTrainer(ModelSource.seeded(CONFIG, 3), BlockSpec.lora(4, 8), ADAMW)) {
            HeldBlocks held = new HeldBlocks(keeping);
            held.configure(ADAMW);
            Map<String, HostTensor> state = Safetensors.read(keeping.blockState(), "initial");
            assertThat(held.hold(state)).isEqualTo(state.size());
            for (int round = 1; round <= 2; round++) {
                Map<String, HostTensor> out =
                        held.train(List.of(1, 2, 3, 4), batches(round)).blocks();
                state = RoundMerge.next(state, List.of(out));
                assertThat(held.hold(state)).isZero();
            }
            held.configure(OptimizerSpec.adamw(2e-2f, 0.01f));
            assertThat(held.hold(state)).as("other settings drop what it held").isEqualTo(state.size());
        }
    }
}
