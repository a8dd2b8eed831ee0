package io.loladeft.finetune.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** {@code --key value} and {@code --flag} options; unknown or unused options are an error. */
final class Args {

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> used = new HashSet<>();

    Args(String[] argv, int from, Set<String> flags) {
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected an option, got '" + a + "'");
            }
            String key = a.substring(2);
            if (flags.contains(key)) {
                values.put(key, "true");
            } else {
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException("option --" + key + " needs a value");
                }
                values.put(key, argv[++i]);
            }
        }
    }

    String str(String key, String dflt) {
        used.add(key);
        return values.getOrDefault(key, dflt);
    }

    String required(String key) {
        used.add(key);
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing required option --" + key);
        }
        return v;
    }

    int integer(String key, int dflt) {
        String v = str(key, null);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs an integer, got '" + v + "'");
        }
    }

    double number(String key, double dflt) {
        String v = str(key, null);
        try {
            return v == null ? dflt : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs a number, got '" + v + "'");
        }
    }

    boolean flag(String key) {
        used.add(key);
        return values.containsKey(key);
    }

    /** Fails fast on an option the command does not know. */
    void checkAllowed(Set<String> allowed) {
        for (String k : values.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k);
            }
        }
    }

    void checkAllUsed() {
        for (String k : values.keySet()) {
            if (!used.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k);
            }
        }
    }
}
