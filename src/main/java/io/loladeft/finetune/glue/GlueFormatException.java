package io.loladeft.finetune.glue;

/** A GLUE file that does not follow its task's layout; the message names the file and line. */
public class GlueFormatException extends RuntimeException {
    public GlueFormatException(String message) {
        super(message);
    }
}
