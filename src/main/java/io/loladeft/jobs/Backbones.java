package io.loladeft.jobs;

import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.glue.GlueReader;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import io.loladeft.finetune.pretrained.PretrainedModels;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.finetune.train.DeviceTrainer;
import io.loladeft.finetune.train.EncodedDataset;
import io.loladeft.finetune.train.LearningRateSchedule;
import io.loladeft.finetune.train.ModelSource;
import io.loladeft.finetune.train.OptimizerSpec;
import io.loladeft.registry.BlockConfig;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker's cache: one frozen backbone per (model source, block spec), with the blocks it was
 * seeded with, and one tokenised dataset per (data, task, tokenizer, length). Per round only
 * blocks travel: a trainer is made to hold the round's global blocks, which cover every block and
 * carry the optimizer's state ({@link HeldBlocks} loads only those it does not hold already), so one
 * backbone serves every device and every job with the same model.
 * Pretrained models come from the worker's model cache, imported there on first use. Used by one
 * worker thread.
 */
final class Backbones implements AutoCloseable {

    private static final int MAX_MODELS = 2;
    private static final int MAX_DATASETS = 2;

    /**
     * A cached backbone, what its trainer holds, its seeded blocks (read before any job trains it), and the block
     * state that round 1 starts from (decoded, per optimizer kind; its order is every later state's, and so the
     * result's).
     */
    record Backbone(
            DeviceTrainer trainer,
            HeldBlocks held,
            Map<String, HostTensor> seeded,
            Map<OptimizerSpec.Kind, Map<String, HostTensor>> initial) {

        /** A freshly built trainer's backbone: its blocks are still the seeded ones, with a fresh {@code optimizer}. */
        static Backbone of(DeviceTrainer trainer, OptimizerSpec optimizer) {
            HeldBlocks held = new HeldBlocks(trainer);
            held.configure(optimizer);
            Map<String, HostTensor> state =
                    Collections.unmodifiableMap(Safetensors.read(trainer.blockState(), "initial block state"));
            Map<String, HostTensor> seeded = new LinkedHashMap<>(state);
            seeded.keySet().removeIf(DeviceTrainer::isOptimizerState);
            Map<OptimizerSpec.Kind, Map<String, HostTensor>> initial = new EnumMap<>(OptimizerSpec.Kind.class);
            initial.put(optimizer.kind(), state);
            return new Backbone(trainer, held, Collections.unmodifiableMap(seeded), initial);
        }

        /**
         * Round 1's input: the seeded blocks and a fresh state of {@code optimizer}. The trainer may hold another
         * job's trained blocks by now, so for a kind not seen yet it is loaded with the seeded blocks before its
         * state is read (the trainer adds the fresh optimizer state, in its own order).
         */
        Map<String, HostTensor> initialBlocks(OptimizerSpec optimizer) {
            return initial.computeIfAbsent(optimizer.kind(), k -> {
                held.configure(optimizer);
                held.hold(seeded);
                return Collections.unmodifiableMap(Safetensors.read(trainer.blockState(), "initial block state"));
            });
        }
    }

    record Data(EncodedDataset train, EncodedDataset dev) {}

    private record ModelKey(ModelSource source, BlockSpec spec) {}

    private record DataKey(String dataDir, GlueTask task, Path tokenizerDir, int seqLen) {}

    private final Path modelCache;
    /** Pretrained directories, checked once per worker rather than per item (the check reads files). */
    private final Map<String, Path> pretrainedDirs = new HashMap<>();

    private final Map<ModelKey, Backbone> models = new LinkedHashMap<>(4, 0.75f, true);
    private final Map<DataKey, Data> datasets = new LinkedHashMap<>(4, 0.75f, true);

    Backbones(Path modelCache) {
        this.modelCache = modelCache;
    }

    Backbone backbone(JobSettings spec) {
        ModelKey key = new ModelKey(source(spec, pretrainedDir(spec)), blockSpec(spec.block()));
        Backbone b = models.get(key);
        if (b == null) {
            evict(models, MAX_MODELS);
            OptimizerSpec optimizer = optimizer(spec);
            b = Backbone.of(new DeviceTrainer(key.source(), key.spec(), optimizer), optimizer);
            models.put(key, b);
        }
        return b;
    }

    Data data(JobSettings spec) {
        GlueTask task = GlueTask.parse(spec.task());
        DataKey key = new DataKey(spec.dataDir(), task, tokenizerDir(spec, pretrainedDir(spec)), spec.seqLen());
        return datasets.computeIfAbsent(key, k -> {
            if (datasets.size() >= MAX_DATASETS) {
                Iterator<DataKey> it = datasets.keySet().iterator();
                it.next();
                it.remove();
            }
            Path dir = Path.of(k.dataDir());
            try (TextTokenizer tokenizer = TextTokenizer.fromDirectory(k.tokenizerDir())) {
                return new Data(
                        new EncodedDataset(tokenizer, GlueReader.train(dir, task), k.seqLen()),
                        new EncodedDataset(tokenizer, GlueReader.dev(dir, task), k.seqLen()));
            }
        });
    }

    private Path pretrainedDir(JobSettings spec) {
        return spec.pretrained() == null
                ? null
                : pretrainedDirs.computeIfAbsent(spec.pretrained(), name -> PretrainedModels.resolve(name, modelCache));
    }

    /** The pretrained model's directory in {@code modelCache}, imported if needed; null when the job names none. */
    static Path pretrainedDir(JobSettings spec, Path modelCache) {
        return spec.pretrained() == null ? null : PretrainedModels.resolve(spec.pretrained(), modelCache);
    }

    /**
     * The model every worker builds identically: the pretrained model in {@code pretrainedDir}, a
     * checkpoint, or a seeded RoBERTa of the plan's shape; tensors a checkpoint lacks (head, PEFT
     * blocks) are seeded.
     */
    static ModelSource source(JobSettings spec, Path pretrainedDir) {
        int labels = GlueTask.parse(spec.task()).numLabels();
        if (pretrainedDir != null) {
            return ModelSource.huggingFace(pretrainedDir, labels, spec.seed());
        }
        if (spec.weightsDir() != null) {
            return ModelSource.huggingFace(Path.of(spec.weightsDir()), labels, spec.seed());
        }
        JobSettings.Shape s = spec.model();
        return ModelSource.seeded(
                EncoderConfig.roberta(
                        s.layers(), s.hidden(), s.heads(), s.intermediate(), s.vocab(), s.maxPositions(), labels),
                spec.seed());
    }

    /** The job's tokenizer: its own directory, else the pretrained model's. */
    static Path tokenizerDir(JobSettings spec, Path pretrainedDir) {
        return spec.tokenizerDir() != null ? Path.of(spec.tokenizerDir()) : pretrainedDir;
    }

    static OptimizerSpec optimizer(JobSettings spec) {
        JobSettings.Optimizer o = spec.optimizerOrLegacy();
        OptimizerSpec base = switch (o.kind()) {
            case SGD -> OptimizerSpec.sgd((float) o.learningRate());
            case ADAMW -> OptimizerSpec.adamw((float) o.learningRate(), (float) o.weightDecay());
        };
        return base.withMaxGradNorm((float) o.maxGradNorm());
    }

    static LearningRateSchedule schedule(JobSettings spec) {
        JobSettings.Optimizer o = spec.optimizerOrLegacy();
        return LearningRateSchedule.warmupFraction((float) o.learningRate(), o.warmupFraction(), spec.rounds());
    }

    static BlockSpec blockSpec(BlockConfig b) {
        return switch (b.kind()) {
            case LORA -> BlockSpec.lora(b.rank(), b.alpha().floatValue());
            case ADAPTER -> BlockSpec.adapter(b.bottleneck());
            case LAYER -> BlockSpec.layer();
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
