package io.loladeft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.web.ErrorResponseException;

class PathRootsTest {

    @TempDir
    Path tmp;

    private PathRoots roots() throws IOException {
        Files.createDirectories(tmp.resolve("root/glue/SST-2"));
        Files.createDirectories(tmp.resolve("second"));
        Files.createDirectories(tmp.resolve("outside"));
        return new PathRoots(new FilesProperties(
                List.of(tmp.resolve("root").toString(), tmp.resolve("second").toString())));
    }

    private static void refused(PathRoots roots, String value, String message) {
        assertThatThrownBy(() -> roots.resolve("dataDir", value))
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(400);
                    assertThat(e.getBody().getProperties().get("errors").toString())
                            .contains("dataDir", message);
                });
    }

    @Test
    void relativePathsResolveInTheFirstRootAndAbsoluteOnesInAny() throws IOException {
        PathRoots roots = roots();
        assertThat(roots.resolve("dataDir", "glue")).isEqualTo(tmp.resolve("root/glue"));
        assertThat(roots.resolve("dataDir", "glue/./SST-2")).isEqualTo(tmp.resolve("root/glue/SST-2"));
        assertThat(roots.resolve("dataDir", tmp.resolve("second/new").toString()))
                .isEqualTo(tmp.resolve("second/new"));
        assertThat(roots.resolve("dataDir", null)).isNull();
    }

    @Test
    void escapesAreRefusedNamingTheField() throws IOException {
        PathRoots roots = roots();
        refused(roots, "../outside", "..");
        refused(roots, "glue/../../outside", "..");
        refused(roots, tmp.resolve("outside").toString(), "inside");
        refused(roots, "/etc/passwd", "inside");
        refused(roots, "", "non-empty");
        refused(roots, "bad\0name", "non-empty");
    }

    @Test
    void symbolicLinksOutOfARootAreRefused() throws IOException {
        PathRoots roots = roots();
        Files.createSymbolicLink(tmp.resolve("root/escape"), tmp.resolve("outside"));
        Files.createSymbolicLink(tmp.resolve("root/inside"), tmp.resolve("root/glue"));
        refused(roots, "escape", "symbolic link");
        assertThat(roots.resolve("dataDir", "inside")).isEqualTo(tmp.resolve("root/inside"));
    }
}
