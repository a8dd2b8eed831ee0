package io.loladeft.finetune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.loladeft.finetune.blocks.BlockLayout;
import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.model.EncoderModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Times the phases of one local iteration separately, the way {@link DeviceTrainer#iterate} runs
 * them (same model, loss, gradient collector, optimizer and per-step manager): forward (logits and
 * loss), backward, optimizer step (update and zeroed gradients) and the whole step (those three
 * plus closing the step's manager). For each depth {@code d} the blocks at depths {@code 1..d} are
 * trainable and everything below is frozen, so backward stops at depth {@code d}. It is the engine
 * side of {@code src/bench/torch-vs-engine.sh}, whose PyTorch side times the same phases.
 */
public final class PhaseBench {

    /** Medians and minima in seconds of one depth's phases. */
    public record Phase(double median, double min) {}

    /** One depth: the trainable layers and the phases' times. */
    public record Point(
            int depth,
            List<Integer> layers,
            long trainableParameters,
            Phase forward,
            Phase backward,
            Phase optimizer,
            Phase step) {}

    private PhaseBench() {}

    /**
     * Runs {@code warmup} untimed and {@code iterations} timed steps on {@code batch} at each depth,
     * on the calling thread with {@code threads} intra-op threads ({@code threads <= 0}: leave it).
     */
    public static List<Point> run(
            ModelSource source,
            BlockSpec spec,
            OptimizerSpec optimizerSpec,
            Batch batch,
            int[] depths,
            int threads,
            int warmup,
            int iterations) {
        if (iterations <= 0 || warmup < 0) {
            throw new IllegalArgumentException("need iterations > 0 and warmup >= 0");
        }
        TorchThread.prepare();
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        List<Point> out = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) source.seed());
            EncoderModel model = source.build(spec, root);
            BlockLayout layout = new BlockLayout(model.config(), spec);
            try (BlockOptimizer optimizer = new BlockOptimizer(optimizerSpec, root)) {
                for (int depth : depths) {
                    List<Integer> layers = new ArrayList<>();
                    for (int d = 1; d <= depth; d++) {
                        layers.add(layout.layerAtDepth(d));
                    }
                    layers.sort(null);
                    Set<String> trainable = layout.tensorsOf(layers);
                    model.setTrainable(trainable);
                    optimizer.retainOnly(trainable);
                    Map<String, NDArray> params = new LinkedHashMap<>();
                    long count = 0;
                    for (String name : trainable) {
                        params.put(name, model.parameter(name));
                        count += model.parameter(name).size();
                    }
                    List<List<String>> blocks = new ArrayList<>();
                    for (int layer : layers) {
                        blocks.add(layout.tensorsOf(layer));
                    }
                    double[][] t = new double[4][iterations];
                    for (int i = -warmup; i < iterations; i++) {
                        double[] s = step(root, model, optimizer, batch, params, blocks);
                        if (i >= 0) {
                            for (int k = 0; k < 4; k++) {
                                t[k][i] = s[k];
                            }
                        }
                    }
                    out.add(new Point(
                            depth, List.copyOf(layers), count, phase(t[0]), phase(t[1]), phase(t[2]), phase(t[3])));
                }
            } finally {
                model.close();
            }
        }
        return out;
    }

    /** Forward, backward, optimizer and whole-step seconds of one local iteration. */
    private static double[] step(
            NDManager root,
            EncoderModel model,
            BlockOptimizer optimizer,
            Batch batch,
            Map<String, NDArray> params,
            List<List<String>> blocks) {
        long t0 = System.nanoTime();
        long t1;
        long t2;
        long t3;
        try (NDManager step = root.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(step, batch, true);
                NDArray l = Losses.loss(step, logits, batch.labels());
                t1 = System.nanoTime();
                gc.backward(l);
            }
            t2 = System.nanoTime();
            optimizer.step(params, blocks);
            t3 = System.nanoTime();
        }
        long t4 = System.nanoTime();
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t0) / 1e9};
    }

    private static Phase phase(double[] s) {
        double[] c = s.clone();
        Arrays.sort(c);
        int n = c.length;
        double median = n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
        return new Phase(median, c[0]);
    }
}
