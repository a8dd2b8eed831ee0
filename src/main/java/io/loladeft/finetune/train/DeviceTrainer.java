package io.loladeft.finetune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.loladeft.finetune.blocks.BlockLayout;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.EncoderModel;
import io.loladeft.finetune.model.Safetensors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One edge device's share of a cooperative round. It builds the frozen backbone once from a
 * {@link ModelSource}; each round it loads the global block state (safetensors bytes holding every
 * block), trains only its assigned blocks on the round's mini-batches with everything else frozen
 * (so backward stops at its deepest block), and returns just those blocks as safetensors bytes.
 *
 * <p>Optimizer state (AdamW moments) stays on the device for the blocks it keeps from one round to
 * the next and is dropped for blocks it gives up. Each local iteration runs in its own sub-manager,
 * so memory stays flat over long runs. Not thread-safe: one trainer per device.
 */
public final class DeviceTrainer implements AutoCloseable {

    private final NDManager root;
    private final EncoderModel model;
    private final BlockLayout layout;
    private final BlockOptimizer optimizer;
    private final Set<String> blockTensors;

    public DeviceTrainer(ModelSource source, BlockSpec spec, OptimizerSpec optimizerSpec) {
        this.root = NDManager.newBaseManager();
        try {
            Engine.getInstance().setRandomSeed((int) source.seed());
            this.model = source.build(spec, root);
            this.layout = new BlockLayout(model.config(), spec);
            this.optimizer = new BlockOptimizer(optimizerSpec, root);
            this.blockTensors = layout.allTrainable();
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    public BlockLayout layout() {
        return layout;
    }

    /** The device's model (the global state of the last round plus its own updates). */
    public EncoderModel model() {
        return model;
    }

    /**
     * One round: load {@code globalBlocks}, train {@code layers} on {@code batches} (one local
     * iteration per batch), return the updated blocks of {@code layers}.
     */
    public RoundResult train(byte[] globalBlocks, Collection<Integer> layers, List<Batch> batches) {
        loadBlocks(globalBlocks);
        Measurement m = iterate(layers, batches);
        Map<String, HostTensor> out = model.getTensors(layout.tensorsOf(m.layers()));
        return new RoundResult(Safetensors.write(out), m.layers(), m.computeSeconds(), m.peakRssBytes(), m.losses());
    }

    /**
     * NDArrays alive in this trainer (parameters, optimizer state, and anything a step leaked);
     * constant from step to step when memory is flat.
     */
    public int liveArrays() {
        return ((ai.djl.ndarray.BaseNDManager) root).getManagedArrays().size();
    }

    /** Learning rate of the following local iterations (a schedule is the caller's choice). */
    public void setLearningRate(float lr) {
        optimizer.setLearningRate(lr);
    }

    /**
     * Every block tensor of this device's model as safetensors bytes: on a freshly built trainer,
     * the initial global block state (the same on every worker for the same {@link ModelSource}).
     */
    public byte[] blockState() {
        return Safetensors.write(model.getTensors(blockTensors));
    }

    /** Loads block tensors (any subset of the blocks) into the model; a non-block tensor is an error. */
    public void loadBlocks(byte[] blocks) {
        Map<String, HostTensor> tensors = Safetensors.read(blocks, "global block state");
        for (String name : tensors.keySet()) {
            if (!blockTensors.contains(name)) {
                throw new IllegalArgumentException("global block state holds " + name
                        + ", which is no block of this " + layout.spec().kind().wireName() + " model");
            }
        }
        model.setTensors(tensors);
    }

    /** Local iterations on {@code layers} without any (de)serialisation: what the profiler times. */
    public Measurement iterate(Collection<Integer> layers, List<Batch> batches) {
        TorchThread.prepare();
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(layers));
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("a device must train at least one block");
        }
        Set<String> trainable = layout.tensorsOf(sorted);
        model.setTrainable(trainable);
        optimizer.retainOnly(trainable);
        List<Double> losses = new ArrayList<>();
        boolean reset = MemoryProbe.resetPeak();
        long before = MemoryProbe.rssBytes();
        long t0 = System.nanoTime();
        for (Batch batch : batches) {
            losses.add(step(batch, trainable));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = reset ? MemoryProbe.peakRssBytes() : Math.max(before, MemoryProbe.rssBytes());
        return new Measurement(sorted, seconds, peak, losses);
    }

    private double step(Batch batch, Set<String> trainable) {
        try (NDManager step = root.newSubManager()) {
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(step, batch, true);
                NDArray l = Losses.loss(step, logits, batch.labels());
                gc.backward(l);
                loss = l.getFloat();
            }
            for (String name : trainable) {
                NDArray p = model.parameter(name);
                try (NDArray g = p.getGradient()) {
                    optimizer.update(name, p, g);
                }
            }
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException("training loss is " + loss + "; lower the learning rate");
            }
            return loss;
        }
    }

    /** Measurements of a run of local iterations. */
    public record Measurement(List<Integer> layers, double computeSeconds, long peakRssBytes, List<Double> losses) {
    }

    @Override
    public void close() {
        optimizer.close();
        model.close();
        root.close();
    }
}
