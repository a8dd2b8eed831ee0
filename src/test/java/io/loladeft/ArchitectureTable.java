package io.loladeft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The module table of docs/architecture.md ({@code | `module` | what lives there | may use |}) as module
 * to the modules its "may use" cell names in backticks; {@code platform}'s "everything" names none.
 */
final class ArchitectureTable {

    static final String PLATFORM = "platform";

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\|(.*)\\|(.*)\\|\\s*$");
    private static final Pattern NAME = Pattern.compile("`([a-z]+)`");

    private ArchitectureTable() {}

    static Map<String, Set<String>> read(Path doc) throws IOException {
        Map<String, String> mayUse = new LinkedHashMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                mayUse.put(m.group(1), m.group(3));
            }
        }
        if (mayUse.isEmpty()) {
            throw new IllegalStateException("no module table in " + doc);
        }
        Map<String, Set<String>> table = new LinkedHashMap<>();
        for (var e : mayUse.entrySet()) {
            Set<String> named = new TreeSet<>();
            if (!e.getKey().equals(PLATFORM)) {
                Matcher n = NAME.matcher(e.getValue());
                while (n.find()) {
                    if (mayUse.containsKey(n.group(1))) {
                        named.add(n.group(1));
                    }
                }
            }
            table.put(e.getKey(), named);
        }
        return table;
    }
}
