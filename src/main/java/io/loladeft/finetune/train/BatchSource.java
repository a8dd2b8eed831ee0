package io.loladeft.finetune.train;

import io.loladeft.finetune.model.Batch;

/** An endless stream of training mini-batches (a round takes {@code localIterations} of them). */
@FunctionalInterface
public interface BatchSource {
    Batch next();
}
