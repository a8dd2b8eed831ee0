package io.loladeft.finetune.pretrained;

import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** One import of all-MiniLM-L6-v2 per test JVM, shared by the test classes that only read it. */
final class SharedImport {

    private static Path root;
    private static Path dir;
    private static Map<String, HostTensor> tensors;

    private SharedImport() {}

    static synchronized Path dir() {
        if (dir == null) {
            try {
                root = Files.createTempDirectory("pretrained-cache");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(SharedImport::deleteRoot));
            dir = PretrainedModels.allMiniLmL6V2(root);
        }
        return dir;
    }

    static synchronized Map<String, HostTensor> tensors() {
        if (tensors == null) {
            tensors = Safetensors.read(dir().resolve("model.safetensors"));
        }
        return tensors;
    }

    private static void deleteRoot() {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }
}
