package io.loladeft.finetune.model;

/** A checkpoint that does not fit the model: missing, unexpected or mis-shaped tensors, bad files. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }
}
