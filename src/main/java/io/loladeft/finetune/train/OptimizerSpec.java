package io.loladeft.finetune.train;

import java.util.Locale;

/**
 * The local optimizer of a device: plain SGD or AdamW (decoupled weight decay, bias-corrected
 * moments, as PyTorch's {@code torch.optim.AdamW}). Weight decay skips biases and LayerNorm
 * parameters. {@code maxGradNorm > 0} clips each block's gradient to that norm (PyTorch's
 * {@code clip_grad_norm_} formula) before the update; per block rather than over the whole model,
 * so that a device needs no other device's gradients and a cooperative round stays equal to a
 * centralised step with the same clipping.
 */
public record OptimizerSpec(
        Kind kind, float learningRate, float weightDecay, float beta1, float beta2, float eps, float maxGradNorm) {

    public enum Kind {
        SGD,
        ADAMW;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public OptimizerSpec {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0");
        }
        if (!(maxGradNorm >= 0)) {
            throw new IllegalArgumentException("max gradient norm must be >= 0 (0: no clipping)");
        }
    }

    public static OptimizerSpec sgd(float lr) {
        return new OptimizerSpec(Kind.SGD, lr, 0f, 0f, 0f, 0f, 0f);
    }

    public static OptimizerSpec adamw(float lr, float weightDecay) {
        return new OptimizerSpec(Kind.ADAMW, lr, weightDecay, 0.9f, 0.999f, 1e-8f, 0f);
    }

    public static OptimizerSpec parse(String kind, float lr, float weightDecay) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "sgd" -> sgd(lr);
            case "adamw", "adam" -> adamw(lr, weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + kind + "' (sgd or adamw)");
        };
    }

    public OptimizerSpec withMaxGradNorm(float norm) {
        return new OptimizerSpec(kind, learningRate, weightDecay, beta1, beta2, eps, norm);
    }

    /** Whether weight decay applies to a parameter: not to biases, not to LayerNorm. */
    static boolean decays(String tensor) {
        return !tensor.endsWith(".bias") && !tensor.contains("LayerNorm");
    }
}
