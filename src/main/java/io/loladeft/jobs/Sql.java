package io.loladeft.jobs;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * States written into SQL as literals from their enums: the partial indexes on open jobs and items
 * ({@code migrations/V3}) match only literal predicates, not bound parameters.
 */
final class Sql {

    private Sql() {}

    /** {@code 'RUNNING'}. */
    static String is(Enum<?> state) {
        return "'" + state.name() + "'";
    }

    /** {@code ('QUEUED', 'RUNNING')}. */
    static String in(Enum<?>... states) {
        return Arrays.stream(states).map(Sql::is).collect(Collectors.joining(", ", "(", ")"));
    }
}
