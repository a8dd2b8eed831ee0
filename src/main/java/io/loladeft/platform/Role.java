package io.loladeft.platform;

import java.util.Arrays;
import java.util.Locale;

/**
 * Who may do what: a reader reads (GET), a planner also creates plans, an operator also manages
 * the registries and jobs. Each role includes the ones before it.
 */
enum Role {
    READER,
    PLANNER,
    OPERATOR;

    String authority() {
        return "ROLE_" + name();
    }

    static Role fromName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown role '" + name + "'; roles are "
                            + Arrays.toString(values()).toLowerCase(Locale.ROOT),
                    e);
        }
    }

    /** Reader and planner names as a JWT carries them, null for anything else. */
    static Role fromClaim(String value) {
        for (Role r : values()) {
            if (r.name().equalsIgnoreCase(value) || ("loladeft:" + r.name()).equalsIgnoreCase(value)) {
                return r;
            }
        }
        return null;
    }
}
