package io.loladeft.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.loladeft.finetune.model.HostTensor;
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

    /** Switches the settings (a worker's cached trainer serves jobs with different ones); drops all state. */
    void configure(OptimizerSpec next) {
        this.spec = next;
        this.learningRate = next.learningRate();
        retainOnly(Set.of());
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
        if (spec.kind() != OptimizerSpec.Kind.ADAMW) {
            if (!state.isEmpty()) {
                throw new IllegalArgumentException("the block state holds optimizer state (e.g. "
                        + state.keySet().iterator().next() + ") but the optimizer is " + spec.kind().wireName());
            }
            return;
        }
        for (Map.Entry<String, HostTensor> e : state.entrySet()) {
            String param = parameterOf(e.getKey());
            if (e.getKey().endsWith(STEP)) {
                steps.put(param, (int) e.getValue().data()[0]);
            } else if (!e.getKey().endsWith(EXP_AVG) && !e.getKey().endsWith(EXP_AVG_SQ)) {
                throw new IllegalArgumentException("unknown optimizer state " + e.getKey());
            }
        }
        for (String param : steps.keySet()) {
            HostTensor m = state.get(param + EXP_AVG);
            HostTensor v = state.get(param + EXP_AVG_SQ);
            if (m == null || v == null) {
                throw new IllegalArgumentException("optimizer state of " + param + " is incomplete");
            }
            moments.put(param, new NDArray[] {
                manager.create(m.data(), new Shape(m.shape())), manager.create(v.data(), new Shape(v.shape()))});
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
        for (Collection<String> block : blocks) {
            float clip = spec.maxGradNorm() > 0 ? clipFactor(params, block) : 1f;
            for (String name : block) {
                NDArray p = params.get(name);
                try (NDArray g = p.getGradient()) {
                    if (clip < 1f) {
                        g.muli(clip);
                    }
                    update(name, p, g);
                }
            }
        }
    }

    /** {@code min(1, maxNorm / (norm + 1e-6))} over the block's gradients, as torch's clip_grad_norm_. */
    private float clipFactor(Map<String, NDArray> params, Collection<String> block) {
        double sq = 0;
        for (String name : block) {
            try (NDArray g = params.get(name).getGradient(); NDArray s = g.square(); NDArray sum = s.sum()) {
                sq += sum.getFloat();
            }
        }
        double coef = spec.maxGradNorm() / (Math.sqrt(sq) + 1e-6);
        return (float) Math.min(1.0, coef);
    }

    private void update(String name, NDArray param, NDArray grad) {
        float lr = learningRate;
        if (spec.kind() == OptimizerSpec.Kind.SGD) {
            try (NDArray u = grad.mul(lr)) {
                param.subi(u);
            }
        } else {
            NDArray[] mv = moments.computeIfAbsent(name, n -> new NDArray[] {
                manager.zeros(param.getShape()), manager.zeros(param.getShape())});
            int t = steps.merge(name, 1, Integer::sum);
            NDArray m = mv[0];
            NDArray v = mv[1];
            float b1 = spec.beta1();
            float b2 = spec.beta2();
            m.muli(b1);
            try (NDArray g1 = grad.mul(1f - b1)) {
                m.addi(g1);
            }
            v.muli(b2);
            try (NDArray g2 = grad.square()) {
                g2.muli(1f - b2);
                v.addi(g2);
            }
            if (spec.weightDecay() > 0 && OptimizerSpec.decays(name)) {
                try (NDArray decay = param.mul(lr * spec.weightDecay())) {
                    param.subi(decay);
                }
            }
            double bc1 = 1 - Math.pow(b1, t);
            double bc2 = 1 - Math.pow(b2, t);
            try (NDArray den = v.div((float) bc2)) {
                den.powi(0.5f).addi(spec.eps());
                try (NDArray upd = m.div(den)) {
                    upd.muli((float) (lr / bc1));
                    param.subi(upd);
                }
            }
        }
        grad.subi(grad);
    }

    @Override
    public void close() {
        manager.close();
    }
}
