package io.loladeft.planning;

/**
 * One thing wrong with a problem.
 *
 * @param subject what is at fault, e.g. {@code devices[2].memoryBytes} or {@code block layer 1}
 * @param message what is wrong with it, for a person to read
 */
public record Violation(String subject, String message) {

    @Override
    public String toString() {
        return subject + ": " + message;
    }
}
