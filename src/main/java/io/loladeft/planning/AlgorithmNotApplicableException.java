package io.loladeft.planning;

/**
 * The algorithm is not defined for this kind of problem (e.g. the paper's {@code dual-ascent} with several blocks
 * per device); the message names what to use instead. Not a fault of the input, which other algorithms can plan.
 */
public class AlgorithmNotApplicableException extends RuntimeException {

    public AlgorithmNotApplicableException(String message) {
        super(message);
    }
}
