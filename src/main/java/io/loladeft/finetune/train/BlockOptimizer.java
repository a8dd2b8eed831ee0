package io.loladeft.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.loladeft.finetune.model.HostTensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Updates parameters in place from their gradients. AdamW's state (first and second moments and the
 * step count) belongs to the block, not to the device: it is read from and written to the block
 * state with the parameters ({@link #load}, {@link #export}), under PyTorch's names
 * ({@code <tensor>::exp_avg}, {@code <tensor>::exp_avg_sq}, {@code <tensor>::step}), so a block
 * that moves to another device, or an item redone after a crash, continues exactly. The step count
 * is a float32 tensor: exact to 2^24 steps. Every temporary is closed here, so nothing accumulates
 * in the parameter or state managers.
 */
final class BlockOptimizer implements AutoCloseable {

    static final String SEPARATOR = "::";
    private static final String EXP_AVG = SEPARATOR + "exp_avg";
    private static final String EXP_AVG_SQ = SEPARATOR + "exp_avg_sq";
    private static final String STEP = SEPARATOR + "step";

    private OptimizerSpec spec;
    private float learningRate;
    private final NDManager manager;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();

    BlockOptimizer(OptimizerSpec spec, NDManager parent) {
        this.spec = spec;
        this.learningRate = spec.learningRate();
        this.manager = parent.newSubManager();
    }

    /**
     * Switches the settings (a worker's cached trainer serves jobs with different ones); other settings
     * drop all state, the same ones keep it (a worker that holds a job's blocks goes on with them).
     */
    void configure(OptimizerSpec next) {
        if (!next.equals(spec)) {
            retainOnly(Set.of());
        }
        this.spec = next;
        this.learningRate = next.learningRate();
    }

    OptimizerSpec spec() {
        return spec;
    }

    /** Sets the learning rate of the next updates (for a schedule); the spec's rate is the start value. */
    void setLearningRate(float lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.learningRate = lr;
    }

    /** Whether {@code name} is an optimizer-state tensor of the block state, and of which parameter. */
    static String parameterOf(String name) {
        int i = name.indexOf(SEPARATOR);
        return i < 0 ? null : name.substring(0, i);
    }

    /** The state a block starts with (zero moments, step 0); empty for SGD, which has none. */
    static Map<String, HostTensor> initialState(OptimizerSpec spec, Map<String, long[]> shapes) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        if (spec.kind() == OptimizerSpec.Kind.ADAMW) {
            shapes.forEach((name, shape) -> {
                out.put(name + EXP_AVG, new HostTensor(shape, new float[(int) HostTensor.numel(shape)]));
                out.put(name + EXP_AVG_SQ, new HostTensor(shape, new float[(int) HostTensor.numel(shape)]));
                out.put(name + STEP, new HostTensor(new long[] {1}, new float[] {0f}));
            });
        }
        return out;
    }

    /** Takes the state of the parameters it holds from a block state; other state is dropped. */
    void load(Map<String, HostTensor> state) {
        retainOnly(Set.of());
        put(state);
    }

    /** Takes the state of the parameters in {@code state}, replacing what it held of them and keeping the rest. */
    void put(Map<String, HostTensor> state) {
        if (spec.kind() != OptimizerSpec.Kind.ADAMW) {
            if (!state.isEmpty()) {
                throw new IllegalArgumentException("the block state holds optimizer state (e.g. "
                        + state.keySet().iterator().next() + ") but the optimizer is "
                        + spec.kind().wireName());
            }
            return;
        }
        Map<String, Integer> given = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : state.entrySet()) {
            String param = parameterOf(e.getKey());
            if (e.getKey().endsWith(STEP)) {
                given.put(param, (int) e.getValue().data()[0]);
            } else if (!e.getKey().endsWith(EXP_AVG) && !e.getKey().endsWith(EXP_AVG_SQ)) {
                throw new IllegalArgumentException("unknown optimizer state " + e.getKey());
            }
        }
        for (Map.Entry<String, Integer> g : given.entrySet()) {
            String param = g.getKey();
            HostTensor m = state.get(param + EXP_AVG);
            HostTensor v = state.get(param + EXP_AVG_SQ);
            if (m == null || v == null) {
                throw new IllegalArgumentException("optimizer state of " + param + " is incomplete");
            }
            NDArray[] old = moments.put(param, new NDArray[] {
                manager.create(m.data(), new Shape(m.shape())), manager.create(v.data(), new Shape(v.shape()))
            });
            if (old != null) {
                for (NDArray a : old) {
                    a.close();
                }
            }
            steps.put(param, g.getValue());
        }
    }

    /** The state of {@code params} after the updates, to travel with their blocks. */
    Map<String, HostTensor> export(Collection<String> params) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        if (spec.kind() != OptimizerSpec.Kind.ADAMW) {
            return out;
        }
        for (String p : params) {
            NDArray[] mv = moments.get(p);
            if (mv == null) {
                throw new IllegalStateException("no optimizer state for " + p + ": it was not trained");
            }
            out.put(p + EXP_AVG, new HostTensor(mv[0].getShape().getShape(), mv[0].toFloatArray()));
            out.put(p + EXP_AVG_SQ, new HostTensor(mv[1].getShape().getShape(), mv[1].toFloatArray()));
            out.put(p + STEP, new HostTensor(new long[] {1}, new float[] {steps.get(p)}));
        }
        return out;
    }

    void retainOnly(Set<String> names) {
        moments.entrySet().removeIf(e -> {
            if (names.contains(e.getKey())) {
                return false;
            }
            for (NDArray a : e.getValue()) {
                a.close();
            }
            return true;
        });
        steps.keySet().retainAll(names);
    }

    /**
     * Clips the gradients of each block to {@code maxGradNorm} (when set), then updates every
     * parameter of {@code blocks} and zeroes its gradient for the next step.
     */
    void step(Map<String, NDArray> params, List<? extends Collection<String>> blocks) {
        List<Update> small = new ArrayList<>();
        List<Update> large = new ArrayList<>();
        for (Collection<String> block : blocks) {
            float clip = spec.maxGradNorm() > 0 ? clipFactor(params, block) : 1f;
            for (String name : block) {
                NDArray p = params.get(name);
                (p.size() < SERIAL_UPDATE ? small : large).add(new Update(name, p, clip));
            }
        }
        int threads = JniUtils.getNumThreads();
        boolean serial = threads > 1 && !small.isEmpty();
        if (serial) {
            JniUtils.setNumThreads(1);
        }
        try {
            small.forEach(this::update);
        } finally {
            if (serial) {
                JniUtils.setNumThreads(threads);
            }
        }
        large.forEach(this::update);
    }

    /**
     * Tensors smaller than this are updated with one intra-op thread. A LoRA factor's update is a few
     * thousand elements, far below what pays for waking a second OpenMP thread: at two threads the
     * small config's optimizer phase took 1.0-2.0 ms against 0.6-0.8 with its small tensors updated on
     * one (docs/finetune.md §11.5). Element-wise updates give the same bytes on any thread count.
     */
    static final long SERIAL_UPDATE = 1 << 16;

    /** One parameter's update in a step, with its block's clip factor. */
    private record Update(String name, NDArray param, float clip) {}

    private void update(Update u) {
        try (NDArray g = u.param().getGradient()) {
            update(u.name(), u.param(), g, u.clip());
        }
    }

    /** {@code min(1, maxNorm / (norm + 1e-6))} over the block's gradients, as torch's clip_grad_norm_. */
    private float clipFactor(Map<String, NDArray> params, Collection<String> block) {
        double sq = 0;
        for (String name : block) {
            try (NDArray g = params.get(name).getGradient();
                    NDArray s = g.square();
                    NDArray sum = s.sum()) {
                sq += sum.getFloat();
            }
        }
        double coef = spec.maxGradNorm() / (Math.sqrt(sq) + 1e-6);
        return (float) Math.min(1.0, coef);
    }

    private void update(String name, NDArray param, NDArray grad, float clip) {
        float lr = learningRate;
        if (spec.kind() == OptimizerSpec.Kind.SGD) {
            if (clip < 1f) {
                grad.muli(clip);
            }
            try (NDArray u = grad.mul(lr)) {
                param.subi(u);
            }
        } else {
            NDArray[] mv = moments.computeIfAbsent(
                    name, n -> new NDArray[] {manager.zeros(param.getShape()), manager.zeros(param.getShape())});
            int t = steps.merge(name, 1, Integer::sum);
            float b1 = spec.beta1();
            float b2 = spec.beta2();
            // torch.optim.AdamW: p -= lr*wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
            // p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps). libtorch's fused update (one native call,
            // no Java-side scalar tensors) computes p -= lrc * m / (sqrt(v) + epsc), which is the same
            // with lrc = lr*sqrt(bc2)/bc1 and epsc = eps*sqrt(bc2). The clip factor is its gradient
            // rescale; its own clamp is off (< 0). Each Java-scalar op used to cost a tensor built
            // from a direct buffer: 9 of them per tensor made the step 5-10x PyTorch's (docs/finetune.md §11.5).
            double bc1 = 1 - Math.pow(b1, t);
            double sqrtBc2 = Math.sqrt(1 - Math.pow(b2, t));
            float decay = spec.weightDecay() > 0 && OptimizerSpec.decays(name) ? spec.weightDecay() : 0f;
            JniUtils.adamUpdate(
                    (PtNDArray) param,
                    (PtNDArray) grad,
                    (PtNDArray) mv[0],
                    (PtNDArray) mv[1],
                    lr,
                    (float) (lr * sqrtBc2 / bc1),
                    decay,
                    clip,
                    -1f,
                    b1,
                    b2,
                    (float) (spec.eps() * sqrtBc2),
                    true);
        }
        JniUtils.zeroGrad((PtNDArray) param);
    }

    @Override
    public void close() {
        manager.close();
    }
}
