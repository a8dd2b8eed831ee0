package io.loladeft.finetune.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which GEMM path MKL inside libtorch takes in this process. MKL asks for the CPU vendor before it
 * picks kernels by CPU features, and on AMD it runs a generic path about 2x slower (docs/finetune.md
 * §11.5, "Found and fixed"); the shim {@value #SHIM} (src/main/native/mkl_any_cpu.c), preloaded with
 * {@code LD_PRELOAD} by the build, the image and the bench scripts, answers that check with yes. A
 * worker that trains without it on AMD is slow for no visible reason, so this says so once per process.
 *
 * @param shimMapped whether {@value #SHIM} is mapped into this process
 * @param cpuVendor {@code vendor_id} of {@code /proc/cpuinfo}, or {@code unknown}
 */
record MklDispatch(boolean shimMapped, String cpuVendor) {

    static final String SHIM = "libmkl-any-cpu.so";

    private static final Logger log = LoggerFactory.getLogger(MklDispatch.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    boolean amd() {
        return cpuVendor.equals("AuthenticAMD");
    }

    static MklDispatch ofThisProcess() {
        return read(Path.of("/proc/self/maps"), Path.of("/proc/cpuinfo"));
    }

    /** From a process's memory map and the CPU description; a file that cannot be read counts as no. */
    static MklDispatch read(Path maps, Path cpuinfo) {
        // A mapping keeps its line after the file is deleted (a rebuild while the JVM runs), marked so.
        boolean mapped = firstLine(maps, line -> line.endsWith("/" + SHIM) || line.endsWith("/" + SHIM + " (deleted)"))
                .isPresent();
        String vendor = firstLine(cpuinfo, line -> line.startsWith("vendor_id"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .orElse("unknown");
        return new MklDispatch(mapped, vendor);
    }

    /** Logs this process's MKL path the first time it is called; later calls do nothing. */
    static void logOnce() {
        if (!LOGGED.compareAndSet(false, true)) {
            return;
        }
        MklDispatch d = ofThisProcess();
        if (d.amd() && !d.shimMapped()) {
            log.warn("MKL: AMD CPU and " + SHIM + " not preloaded, so libtorch's matrix products take MKL's generic"
                    + " path (about 2x slower); start the JVM with LD_PRELOAD naming it (the build writes target/native/"
                    + SHIM + ", the image has /app/native/" + SHIM + ")");
        } else {
            log.info("MKL: CPU vendor {}, {} {}", d.cpuVendor(), SHIM, d.shimMapped() ? "preloaded" : "not preloaded");
        }
    }

    private static Optional<String> firstLine(Path file, Predicate<String> wanted) {
        // ISO-8859-1 decodes any byte, so a mapped file with a non-UTF-8 name cannot end the scan.
        try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            return lines.filter(wanted).findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
