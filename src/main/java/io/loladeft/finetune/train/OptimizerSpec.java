package io.loladeft.finetune.train;

import java.util.Locale;

/** The local optimizer of a device: plain SGD or AdamW (decoupled weight decay, bias-corrected moments). */
public record OptimizerSpec(Kind kind, float learningRate, float weightDecay, float beta1, float beta2, float eps) {

    public enum Kind { SGD, ADAMW }

    public OptimizerSpec {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight decay must be >= 0");
        }
    }

    public static OptimizerSpec sgd(float lr) {
        return new OptimizerSpec(Kind.SGD, lr, 0f, 0f, 0f, 0f);
    }

    public static OptimizerSpec adamw(float lr, float weightDecay) {
        return new OptimizerSpec(Kind.ADAMW, lr, weightDecay, 0.9f, 0.999f, 1e-8f);
    }

    public static OptimizerSpec parse(String kind, float lr, float weightDecay) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "sgd" -> sgd(lr);
            case "adamw", "adam" -> adamw(lr, weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + kind + "' (sgd or adamw)");
        };
    }
}
