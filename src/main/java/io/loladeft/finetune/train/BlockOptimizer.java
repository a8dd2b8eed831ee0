package io.loladeft.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Updates parameters in place from their gradients. AdamW moments are kept per tensor name in this
 * optimizer's own manager; a device keeps them for the blocks it trains from round to round and
 * drops them when a block is no longer assigned to it ({@link #retainOnly}). Every temporary is
 * closed here, so nothing accumulates in the parameter or state managers.
 */
final class BlockOptimizer implements AutoCloseable {

    private final OptimizerSpec spec;
    private float learningRate;
    private final NDManager manager;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();

    BlockOptimizer(OptimizerSpec spec, NDManager parent) {
        this.spec = spec;
        this.learningRate = spec.learningRate();
        this.manager = parent.newSubManager();
    }

    /** Sets the learning rate of the next updates (for a schedule); the spec's rate is the start value. */
    void setLearningRate(float lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.learningRate = lr;
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

    /** One update of {@code param} with {@code grad}; then zeroes the gradient for the next step. */
    void update(String name, NDArray param, NDArray grad) {
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
            if (spec.weightDecay() > 0) {
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
