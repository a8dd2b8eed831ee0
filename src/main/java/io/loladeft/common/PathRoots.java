package io.loladeft.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The only directories a request may point the service at ({@code loladeft.files.roots}, {@link FilesProperties}).
 * {@code dataDir}, {@code weightsDir}, {@code tokenizerDir} and any other path from a request
 * resolve inside one of them: relative paths against the first root; no {@code ..}; no absolute
 * path elsewhere; and where the path exists, no symbolic link leading out. Anything else is a 400
 * naming the field.
 */
@Component
public class PathRoots {

    private final List<Path> roots;

    public PathRoots(FilesProperties files) {
        this.roots = files.roots().stream()
                .map(r -> Path.of(r).toAbsolutePath().normalize())
                .toList();
    }

    public List<Path> roots() {
        return roots;
    }

    /** The absolute path {@code value} names inside a root, or a 400 naming {@code field}. */
    public Path resolve(String field, String value) {
        if (value == null) {
            return null;
        }
        if (value.isBlank() || value.indexOf('\0') >= 0) {
            throw refuse(field, "must be a non-empty path");
        }
        Path given;
        try {
            given = Path.of(value);
        } catch (InvalidPathException e) {
            throw refuse(field, "is not a valid path");
        }
        for (Path part : given) {
            if (part.toString().equals("..")) {
                throw refuse(field, "must not contain '..'");
            }
        }
        Path resolved = (given.isAbsolute() ? given : roots.get(0).resolve(given)).normalize();
        Path root = roots.stream()
                .filter(resolved::startsWith)
                .findFirst()
                .orElseThrow(() -> refuse(field, "must lie inside " + roots));
        if (Files.exists(resolved)) {
            try {
                Path real = resolved.toRealPath();
                Path realRoot = Files.exists(root) ? root.toRealPath() : root;
                if (!real.startsWith(realRoot)) {
                    throw refuse(field, "leads out of " + root + " through a symbolic link");
                }
            } catch (IOException e) {
                throw refuse(field, "cannot be read");
            }
        }
        return resolved;
    }

    private static RuntimeException refuse(String field, String message) {
        return Problems.badRequest(field + " is not an allowed path", List.of(new FieldViolation(field, message)));
    }
}
