package io.loladeft.finetune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.loladeft.finetune.blocks.BlockLayout;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderModel;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
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
 * <p>Optimizer state (AdamW moments and step counts) travels with the blocks: it is part of the block
 * state a round reads and of the blocks a device returns, so whichever device trains a block next
 * continues its optimizer exactly. Each local iteration runs in its own sub-manager, so memory stays
 * flat over long runs. Not thread-safe: one trainer per device.
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
        Trained t = trainHeld(layers, batches);
        Measurement m = t.measurement();
        return new RoundResult(
                Safetensors.write(t.blocks()),
                m.layers(),
                m.computeSeconds(),
                m.peakRssBytes(),
                m.losses(),
                t.uploadBytes());
    }

    /**
     * One round on the blocks the trainer holds now, loading nothing: train {@code layers} on
     * {@code batches} and return their blocks with their optimizer state, decoded. Afterwards the
     * optimizer holds the state of these blocks only; the other blocks' tensors are unchanged.
     */
    public Trained trainHeld(Collection<Integer> layers, List<Batch> batches) {
        Measurement m = iterate(layers, batches);
        Set<String> trained = layout.tensorsOf(m.layers());
        Map<String, HostTensor> out = model.getTensors(trained);
        out.putAll(optimizer.export(trained));
        return new Trained(out, m, uploadBytes(m.layers()));
    }

    /** Trained blocks (parameters and optimizer state by name), how they were trained, and their upload bytes. */
    public record Trained(Map<String, HostTensor> blocks, Measurement measurement, long uploadBytes) {}

    /**
     * The blocks at {@code layers} as float32 parameters: what a device that trains them uploads (the
     * optimizer state stays with the device and moves only with a block).
     */
    public long uploadBytes(Collection<Integer> layers) {
        long bytes = 0;
        for (String name : layout.tensorsOf(layers)) {
            bytes += 4 * model.parameter(name).getShape().size();
        }
        return bytes;
    }

    /**
     * NDArrays alive in this trainer (parameters, optimizer state, and anything a step leaked);
     * constant from step to step when memory is flat.
     */
    public int liveArrays() {
        return ((ai.djl.ndarray.BaseNDManager) root).getManagedArrays().size();
    }

    /** The optimizer of the following rounds (a cached trainer serves jobs with different settings). */
    public void configure(OptimizerSpec spec) {
        optimizer.configure(spec);
    }

    /** Learning rate of the following local iterations (a schedule is the caller's choice). */
    public void setLearningRate(float lr) {
        optimizer.setLearningRate(lr);
    }

    /**
     * Every block tensor of this device's model, with a fresh optimizer state, as safetensors bytes: on
     * a freshly built trainer, the initial global block state (the same on every worker for the same
     * {@link ModelSource} and optimizer).
     */
    public byte[] blockState() {
        Map<String, HostTensor> out = model.getTensors(blockTensors);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        out.forEach((name, t) -> shapes.put(name, t.shape()));
        out.putAll(BlockOptimizer.initialState(optimizer.spec(), shapes));
        return Safetensors.write(out);
    }

    /**
     * Loads block tensors (any subset of the blocks) into the model and their optimizer state into
     * the optimizer; a tensor that is neither a block's nor a block's optimizer state is an error.
     */
    public void loadBlocks(byte[] blocks) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, HostTensor> state = new LinkedHashMap<>();
        split(Safetensors.read(blocks, "global block state"), tensors, state);
        model.setTensors(tensors);
        optimizer.load(state);
    }

    /**
     * Loads decoded block tensors (any subset of the blocks) and their optimizer state, keeping what
     * the trainer holds of every other block: a caller that knows what the trainer holds loads only
     * the blocks that differ, instead of decoding the whole state again.
     */
    public void load(Map<String, HostTensor> blocks) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, HostTensor> state = new LinkedHashMap<>();
        split(blocks, tensors, state);
        model.setTensors(tensors);
        optimizer.put(state);
    }

    /** Whether {@code name} is a block's optimizer state rather than its parameter. */
    public static boolean isOptimizerState(String name) {
        return BlockOptimizer.parameterOf(name) != null;
    }

    private void split(Map<String, HostTensor> blocks, Map<String, HostTensor> tensors, Map<String, HostTensor> state) {
        for (Map.Entry<String, HostTensor> e : blocks.entrySet()) {
            String param = BlockOptimizer.parameterOf(e.getKey());
            if (!blockTensors.contains(param == null ? e.getKey() : param)) {
                throw new IllegalArgumentException("global block state holds " + e.getKey()
                        + ", which is no block of this " + layout.spec().kind().wireName() + " model");
            }
            (param == null ? tensors : state).put(e.getKey(), e.getValue());
        }
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
        List<List<String>> blocks = new ArrayList<>();
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (int layer : sorted) {
            blocks.add(layout.tensorsOf(layer));
        }
        for (String name : trainable) {
            params.put(name, model.parameter(name));
        }
        List<Double> losses = new ArrayList<>();
        boolean reset = MemoryProbe.resetPeak();
        long before = MemoryProbe.rssBytes();
        long t0 = System.nanoTime();
        for (Batch batch : batches) {
            losses.add(step(batch, params, blocks));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = reset ? MemoryProbe.peakRssBytes() : Math.max(before, MemoryProbe.rssBytes());
        return new Measurement(sorted, seconds, peak, losses);
    }

    private double step(Batch batch, Map<String, NDArray> params, List<List<String>> blocks) {
        try (NDManager step = root.newSubManager()) {
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(step, batch, true);
                NDArray l = Losses.loss(step, logits, batch.labels());
                gc.backward(l);
                loss = l.getFloat();
            }
            optimizer.step(params, blocks);
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException("training loss is " + loss + "; lower the learning rate");
            }
            return loss;
        }
    }

    /** Measurements of a run of local iterations. */
    public record Measurement(List<Integer> layers, double computeSeconds, long peakRssBytes, List<Double> losses) {}

    @Override
    public void close() {
        optimizer.close();
        model.close();
        root.close();
    }
}
