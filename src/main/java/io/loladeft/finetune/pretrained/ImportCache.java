package io.loladeft.finetune.pretrained;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A directory built once and then reused. It is written into a temporary sibling and renamed into
 * place, so a crash never leaves a half-written directory under the real name; concurrent builders
 * (threads or processes) serialise on a lock file, and whoever comes second finds the first one's
 * result complete and reuses it. A directory that exists but fails the completeness check is
 * replaced. (Process crashes are covered; surviving power loss would also need fsync.)
 */
final class ImportCache {

    // FileLock is held per process: two threads of one JVM would get OverlappingFileLockException.
    private static final Object IN_PROCESS = new Object();

    private ImportCache() {}

    static Path ensure(Path target, Predicate<Path> complete, Consumer<Path> writeInto) {
        if (complete.test(target)) {
            return target;
        }
        Path parent = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        String tempPrefix = "." + name + ".tmp-";
        try {
            Files.createDirectories(parent);
            synchronized (IN_PROCESS) {
                try (FileChannel channel = FileChannel.open(
                                parent.resolve("." + name + ".lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                        FileLock lock = channel.lock()) {
                    if (complete.test(target)) {
                        return target; // built by another process while this one waited
                    }
                    deleteLeftovers(parent, tempPrefix);
                    Path staging = Files.createTempDirectory(parent, tempPrefix);
                    try {
                        writeInto.accept(staging);
                        if (!complete.test(staging)) {
                            throw new IllegalStateException("the import wrote an incomplete " + staging);
                        }
                        if (Files.exists(target)) {
                            // incomplete (checked above, under the lock): move it out of the way atomically
                            Path stale = Files.createTempDirectory(parent, tempPrefix);
                            Files.move(target, stale.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                            deleteTree(stale);
                        }
                        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        deleteTree(staging);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build " + target, e);
        }
        return target;
    }

    /** Temporary directories of builds that crashed; safe to remove while holding the lock. */
    private static void deleteLeftovers(Path parent, String tempPrefix) throws IOException {
        try (Stream<Path> entries = Files.list(parent)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(tempPrefix))
                    .toList()) {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
