package io.loladeft.jobs;

import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.OptimizerSpec;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a cached trainer holds, so that a worker loads only the blocks that changed. For each block
 * tensor (parameter or optimizer state) it remembers the decoded tensor the trainer was loaded with
 * or trained to; a round's input is a map of such tensors, built from the previous input and the
 * items' outputs without copying, so a tensor the trainer already holds is the very same object and
 * is not loaded again. Decoded tensors are never changed after they are made. A fused round trains
 * every block, so the next round loads nothing; per-device items of one round load back only the
 * blocks the previous item trained. Anything unexpected (a failed step, other optimizer settings)
 * forgets all, and the next round loads everything. Used under the worker's engine lock.
 */
final class HeldBlocks {

    private final DeviceTrainer trainer;
    private final Map<String, HostTensor> held = new HashMap<>();
    private OptimizerSpec configured;

    HeldBlocks(DeviceTrainer trainer) {
        this.trainer = trainer;
    }

    /** The job's optimizer settings; other settings than the last drop the optimizer state it holds. */
    void configure(OptimizerSpec optimizer) {
        if (!optimizer.equals(configured)) {
            held.clear();
        }
        trainer.configure(optimizer);
        configured = optimizer;
    }

    /**
     * Makes the trainer hold {@code state} (every block): loads the tensors it does not hold yet, and
     * says how many that was.
     */
    int hold(Map<String, HostTensor> state) {
        Map<String, HostTensor> load = new LinkedHashMap<>();
        state.forEach((name, t) -> {
            if (held.get(name) != t) {
                load.put(name, t);
            }
        });
        if (load.isEmpty()) {
            return 0;
        }
        try {
            trainer.load(load);
        } catch (RuntimeException e) {
            held.clear();
            throw e;
        }
        held.putAll(load);
        return load.size();
    }

    /** Trains {@code layers} from what the trainer holds; what it holds afterwards is what it returns. */
    DeviceTrainer.Trained train(Collection<Integer> layers, List<Batch> batches) {
        DeviceTrainer.Trained t;
        try {
            t = trainer.trainHeld(layers, batches);
        } catch (RuntimeException e) {
            held.clear();
            throw e;
        }
        // The optimizer keeps the state of the trained blocks only (and that is in the output).
        held.keySet().removeIf(DeviceTrainer::isOptimizerState);
        held.putAll(t.blocks());
        return t;
    }
}
