package io.loladeft.planning;

import java.util.List;
import java.util.stream.Collectors;

/** The input is well formed but no plan satisfies it: a block no device can hold, too few devices, ... */
public class InfeasibleProblemException extends RuntimeException {

    private final transient List<Violation> violations;

    public InfeasibleProblemException(List<Violation> violations) {
        super("no feasible plan: "
                + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
