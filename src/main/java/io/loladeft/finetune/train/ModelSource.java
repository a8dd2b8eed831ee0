package io.loladeft.finetune.train;

import ai.djl.ndarray.NDManager;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.EncoderModel;
import io.loladeft.finetune.model.HfCheckpoint;
import java.nio.file.Path;

/**
 * Where every worker gets the frozen backbone from, so that it never has to cross the network:
 * either a seed (same seed, same model, on every worker) or a Hugging Face directory that every
 * worker has locally. Tensors the checkpoint lacks (task head, PEFT blocks) come from the seed.
 *
 * @param config     the model shape (for a checkpoint: read from its config.json)
 * @param checkpoint an HF directory ({@code config.json}, {@code model.safetensors}), or null
 * @param seed       initialisation seed
 */
public record ModelSource(EncoderConfig config, Path checkpoint, long seed) {

    public static ModelSource seeded(EncoderConfig config, long seed) {
        return new ModelSource(config, null, seed);
    }

    /** A checkpoint directory; {@code numLabels > 0} overrides the config's label count. */
    public static ModelSource huggingFace(Path dir, int numLabels, long seed) {
        EncoderConfig c = EncoderConfig.fromJson(dir.resolve(HfCheckpoint.CONFIG), numLabels);
        return new ModelSource(c, dir, seed);
    }

    public EncoderModel build(BlockSpec spec, NDManager parent) {
        TorchThread.prepare();
        if (checkpoint == null) {
            return EncoderModel.seeded(config, spec, seed, parent);
        }
        return HfCheckpoint.load(checkpoint, spec, config.numLabels(), seed, parent)
                .model();
    }
}
