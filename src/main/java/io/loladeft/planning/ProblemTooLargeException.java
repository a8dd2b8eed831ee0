package io.loladeft.planning;

/** The exact solver refuses a problem beyond its size cap; the message names the cap and what to use. */
public class ProblemTooLargeException extends RuntimeException {

    private final double size;
    private final double cap;

    public ProblemTooLargeException(String message, double size, double cap) {
        super(message);
        this.size = size;
        this.cap = cap;
    }

    /** The problem's size in the cap's unit (see the message). */
    public double size() {
        return size;
    }

    public double cap() {
        return cap;
    }
}
