package io.loladeft.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Inverted dropout for one step: {@code x * mask / (1 - rate)} with a Bernoulli(1 - rate) mask, like
 * libtorch's {@code dropout}, but with the mask drawn as {@code floor(u + 1 - rate)} from a uniform
 * {@code u} in [0, 1). libtorch's CPU {@code bernoulli_} draws a 64-bit number and a double per element
 * in one serial loop (on AMD CPUs it never takes its MKL path); {@code uniform_} draws 32 bits and a
 * float, about 1.7 times faster here, and the rest (add, floor, scale) runs vectorised on every intra-op
 * thread. Dropout masks were a fifth of a MiniLM step at one thread and did not gain from a second
 * (docs/finetune.md §11.5). The keep probability is {@code 1 - rate} to within 2^-23; the draws come from
 * libtorch's generator as before, so {@code Engine.setRandomSeed} still fixes them.
 *
 * <p>The two factors are tensors of the step's manager (never a Java scalar inside the graph, see
 * {@link EncoderModel}); the mask is made without gradient and autograd keeps it for backward.
 */
final class StepDropout {

    private static final StepDropout OFF = new StepDropout(null, null);

    private final NDArray keep;
    private final NDArray scale;

    private StepDropout(NDArray keep, NDArray scale) {
        this.keep = keep;
        this.scale = scale;
    }

    /** Dropout at {@code rate} for a step whose arrays live in {@code m}; the identity when off. */
    static StepDropout of(NDManager m, float rate, boolean training) {
        if (!training || rate <= 0) {
            return OFF;
        }
        float keep = 1f - rate;
        return new StepDropout(m.create(keep), m.create(1f / keep));
    }

    /** {@code x} with dropout applied, in {@code x}'s manager; {@code x} itself when off. */
    NDArray apply(NDArray x) {
        if (keep == null) {
            return x;
        }
        NDArray mask;
        try (NDArray u = x.getManager().randomUniform(0f, 1f, x.getShape())) {
            mask = u.addi(keep).floor();
        }
        try (mask) {
            return x.mul(mask.muli(scale));
        }
    }
}
