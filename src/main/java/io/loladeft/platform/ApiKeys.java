package io.loladeft.platform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Static API keys for small deployments. Configured as {@code name=sha256hex:role[+role]} entries
 * separated by commas or newlines (what {@code loladeft.auth.api-keys} or the Helm chart's Secret
 * holds); only SHA-256 hashes are configured, never the keys. Keys are random strings (e.g.
 * {@code openssl rand -hex 32}), so a plain hash is enough, and lookups compare in constant time.
 */
final class ApiKeys {

    record Key(String name, byte[] sha256, Set<Role> roles) {}

    private final List<Key> keys;

    private ApiKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    static ApiKeys parse(String config) {
        List<Key> keys = new ArrayList<>();
        if (config == null) {
            return new ApiKeys(keys);
        }
        for (String raw : config.split("[,\\n]")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            int colon = entry.lastIndexOf(':');
            if (eq <= 0 || colon < eq) {
                throw new IllegalArgumentException(
                        "loladeft.auth.api-keys: entry '" + redact(entry) + "' is not name=sha256hex:role[+role]");
            }
            String hex = entry.substring(eq + 1, colon).strip().toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("loladeft.auth.api-keys: key '" + entry.substring(0, eq)
                        + "' needs a 64-digit SHA-256 hex hash");
            }
            Set<Role> roles = new LinkedHashSet<>();
            for (String role : entry.substring(colon + 1).split("\\+")) {
                roles.add(Role.fromName(role.strip()));
            }
            keys.add(new Key(entry.substring(0, eq).strip(), HexFormat.of().parseHex(hex), roles));
        }
        return new ApiKeys(keys);
    }

    boolean isEmpty() {
        return keys.isEmpty();
    }

    int size() {
        return keys.size();
    }

    Optional<Key> lookup(String presented) {
        byte[] hash = sha256(presented);
        Key found = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(key.sha256(), hash)) {
                found = key;
            }
        }
        return Optional.ofNullable(found);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String redact(String entry) {
        return entry.length() > 12 ? entry.substring(0, 12) + "…" : entry;
    }
}
