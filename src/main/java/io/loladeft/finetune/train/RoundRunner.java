package io.loladeft.finetune.train;

import io.loladeft.finetune.blocks.BlockLayout;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs cooperative rounds in one process: {@code K} {@link DeviceTrainer}s, a fixed assignment of
 * blocks (layers) to devices, and the {@link Merge}. Each round every device starts from the same
 * global block state and the same {@code localIterations} mini-batches; only safetensors bytes of
 * blocks pass between devices and the merge. One device holding every block is centralised
 * training on the same code path.
 */
public final class RoundRunner implements AutoCloseable {

    private final List<DeviceTrainer> devices = new ArrayList<>();
    private final List<List<Integer>> assignment;
    private byte[] global;

    /**
     * @param assignment for each device, the blocks it trains (layers 1..L and the head, L+1,
     *                   {@link BlockLayout}); every block exactly once
     */
    public RoundRunner(ModelSource source, BlockSpec spec, OptimizerSpec optimizer, List<List<Integer>> assignment) {
        this.assignment = List.copyOf(assignment);
        check(assignment, BlockLayout.blockCount(source.config().numLayers()));
        try {
            for (int k = 0; k < assignment.size(); k++) {
                devices.add(new DeviceTrainer(source, spec, optimizer));
            }
            global = devices.get(0).blockState();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void check(List<List<Integer>> assignment, int blocks) {
        Set<Integer> seen = new HashSet<>();
        for (List<Integer> a : assignment) {
            if (a.isEmpty()) {
                throw new IllegalArgumentException("every device in the assignment needs at least one block");
            }
            for (int l : a) {
                if (l < 1 || l > blocks) {
                    throw new IllegalArgumentException(
                            "block " + l + " outside 1.." + blocks + " (" + blocks + " is the head)");
                }
                if (!seen.add(l)) {
                    throw new IllegalArgumentException("block " + l + " assigned twice");
                }
            }
        }
        if (seen.size() != blocks) {
            throw new IllegalArgumentException("assignment covers " + seen.size() + " of " + blocks + " blocks");
        }
    }

    /**
     * Round-robin assignment of the blocks of a model of {@code layers} layers (layers 1..L, then the head, L+1) to
     * {@code devices} devices (layer 1 to device 0...).
     */
    public static List<List<Integer>> roundRobin(int layers, int devices) {
        int blocks = BlockLayout.blockCount(layers);
        List<List<Integer>> out = new ArrayList<>();
        for (int k = 0; k < Math.min(devices, blocks); k++) {
            out.add(new ArrayList<>());
        }
        for (int l = 1; l <= blocks; l++) {
            out.get((l - 1) % out.size()).add(l);
        }
        return out;
    }

    /** The per-round measurements of every device. */
    public record RoundReport(List<RoundResult> devices, double mergeSeconds, long bytesUploaded) {
        public double meanLoss() {
            double s = 0;
            int n = 0;
            for (RoundResult r : devices) {
                for (double l : r.losses()) {
                    s += l;
                    n++;
                }
            }
            return s / n;
        }
    }

    public RoundReport round(List<Batch> batches) {
        return round(batches, assignment);
    }

    /**
     * A round under another assignment (a new plan: blocks move between devices, their optimizer
     * state with them, in the global state); at most as many devices as this runner has.
     */
    public RoundReport round(List<Batch> batches, List<List<Integer>> assignment) {
        if (assignment.size() > devices.size()) {
            throw new IllegalArgumentException(assignment.size() + " devices assigned, " + devices.size() + " exist");
        }
        check(assignment, devices.get(0).layout().numBlocks());
        List<RoundResult> results = new ArrayList<>();
        List<byte[]> updates = new ArrayList<>();
        long bytes = 0;
        for (int k = 0; k < assignment.size(); k++) {
            RoundResult r = devices.get(k).train(global, assignment.get(k), batches);
            results.add(r);
            updates.add(r.updatedBlocks());
            bytes += r.uploadBytes();
        }
        long t0 = System.nanoTime();
        global = Merge.apply(global, updates, true);
        return new RoundReport(results, (System.nanoTime() - t0) / 1e9, bytes);
    }

    /** Sets every device's learning rate for the next rounds. */
    public void setLearningRate(float lr) {
        for (DeviceTrainer d : devices) {
            d.setLearningRate(lr);
        }
    }

    /** The global block state after the last round (safetensors bytes). */
    public byte[] globalState() {
        return global;
    }

    /** A model holding the current global state, for evaluation (device 0's, refreshed). */
    public EncoderModel evaluationModel() {
        DeviceTrainer d = devices.get(0);
        d.loadBlocks(global);
        return d.model();
    }

    public List<List<Integer>> assignment() {
        return assignment;
    }

    @Override
    public void close() {
        for (DeviceTrainer d : devices) {
            d.close();
        }
    }
}
