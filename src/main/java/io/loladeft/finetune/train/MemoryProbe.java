package io.loladeft.finetune.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process memory from {@code /proc/self/status}: resident set size and its high-water mark. The
 * mark is reset by writing {@code 5} to {@code /proc/self/clear_refs} (Linux >= 4.0), so a peak can
 * be taken over one round; where that is not possible the peak is the larger of RSS before and after.
 * PyTorch's CPU tensors live in this process, so RSS covers weights, activations and optimizer
 * state, plus the JVM.
 */
public final class MemoryProbe {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private MemoryProbe() {}

    /** Current resident set size in bytes, or -1 when unavailable. */
    public static long rssBytes() {
        return field("VmRSS:");
    }

    /** Peak resident set size since the last {@link #resetPeak()} (or process start), or -1. */
    public static long peakRssBytes() {
        return field("VmHWM:");
    }

    /**
     * Anonymous resident memory ({@code RssAnon}: heap, mmap'd tensors, thread stacks), or -1. Unlike
     * {@link #rssBytes()} it leaves out file-backed pages (shared-library code paged in as kernels first run).
     */
    public static long anonBytes() {
        return field("RssAnon:");
    }

    /** File-backed resident memory ({@code RssFile}: mapped code and files), or -1. */
    public static long fileBytes() {
        return field("RssFile:");
    }

    /** Resets the high-water mark to the current RSS; returns whether the kernel accepted it. */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static long field(String key) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
