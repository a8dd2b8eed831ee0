package io.loladeft.jobs;

import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.glue.GlueReader;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.Safetensors;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.EncodedDataset;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker's cache: one frozen backbone per (model source, block spec), with the blocks it was
 * seeded with, and one tokenised dataset per (data, task, tokenizer, length). Per round only
 * blocks travel: a trainer loads the round's global blocks, which overwrite every block, so one
 * backbone serves every device and every job with the same model. Jobs train with SGD, which has
 * no optimizer state to carry between rounds (AdamW moments would have to travel too).
 * Used by one worker thread.
 */
final class Backbones implements AutoCloseable {

    private static final int MAX_MODELS = 2;
    private static final int MAX_DATASETS = 2;

    /** A cached backbone and the seeded block state that round 1 starts from. */
    record Backbone(DeviceTrainer trainer, byte[] initialBlocks) {}

    record Data(EncodedDataset train, EncodedDataset dev) {}

    private record ModelKey(ModelSource source, BlockSpec spec) {}

    private record DataKey(String dataDir, GlueTask task, String tokenizerDir, int seqLen) {}

    private final Map<ModelKey, Backbone> models = new LinkedHashMap<>(4, 0.75f, true);
    private final Map<DataKey, Data> datasets = new LinkedHashMap<>(4, 0.75f, true);

    Backbone backbone(JobSpec spec) {
        ModelKey key = new ModelKey(source(spec), blockSpec(spec.block()));
        Backbone b = models.get(key);
        if (b == null) {
            evict(models, MAX_MODELS);
            DeviceTrainer trainer = new DeviceTrainer(key.source(), key.spec(), OptimizerSpec.sgd((float) spec.learningRate()));
            try {
                byte[] initial = Safetensors.write(trainer.model().getTensors(trainer.layout().allTrainable()));
                b = new Backbone(trainer, initial);
            } catch (RuntimeException e) {
                trainer.close();
                throw e;
            }
            models.put(key, b);
        }
        return b;
    }

    Data data(JobSpec spec) {
        GlueTask task = GlueTask.parse(spec.task());
        DataKey key = new DataKey(spec.dataDir(), task, spec.tokenizerDir(), spec.seqLen());
        return datasets.computeIfAbsent(key, k -> {
            if (datasets.size() >= MAX_DATASETS) {
                Iterator<DataKey> it = datasets.keySet().iterator();
                it.next();
                it.remove();
            }
            TextTokenizer tokenizer = TextTokenizer.fromDirectory(Path.of(k.tokenizerDir()));
            Path dir = Path.of(k.dataDir());
            return new Data(new EncodedDataset(tokenizer, GlueReader.train(dir, task), k.seqLen()),
                    new EncodedDataset(tokenizer, GlueReader.dev(dir, task), k.seqLen()));
        });
    }

    /** The model every worker builds identically: a seeded config, or a checkpoint with seeded extras. */
    static ModelSource source(JobSpec spec) {
        int labels = GlueTask.parse(spec.task()).numLabels();
        if (spec.weightsDir() != null) {
            return ModelSource.huggingFace(Path.of(spec.weightsDir()), labels, spec.seed());
        }
        JobSpec.Shape s = spec.model();
        return ModelSource.seeded(new EncoderConfig(EncoderConfig.Family.ROBERTA, s.vocab(), s.hidden(), s.layers(), s.heads(), s.intermediate(),
                s.maxPositions(), 1, 1e-5f, 1, labels, 0.1f, 0.1f, 0.02f), spec.seed());
    }

    static BlockSpec blockSpec(JobSpec.Block b) {
        return switch (b.kind()) {
            case "lora" -> BlockSpec.lora(b.rank(), (float) b.alpha());
            case "adapter" -> BlockSpec.adapter(b.bottleneck());
            case "layer" -> BlockSpec.layer();
            default -> throw new IllegalArgumentException("unknown block kind " + b.kind());
        };
    }

    private static <K> void evict(Map<K, Backbone> map, int max) {
        while (map.size() >= max) {
            Iterator<Map.Entry<K, Backbone>> it = map.entrySet().iterator();
            it.next().getValue().trainer().close();
            it.remove();
        }
    }

    @Override
    public void close() {
        models.values().forEach(b -> b.trainer().close());
        models.clear();
        datasets.clear();
    }
}
