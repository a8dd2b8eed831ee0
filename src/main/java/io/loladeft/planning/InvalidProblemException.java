package io.loladeft.planning;

import java.util.List;
import java.util.stream.Collectors;

/** The input is malformed for the model: non-positive capacities, non-finite numbers, bad profiles, ... */
public class InvalidProblemException extends RuntimeException {

    private final transient List<Violation> violations;

    public InvalidProblemException(List<Violation> violations) {
        super("invalid planning problem: "
                + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
