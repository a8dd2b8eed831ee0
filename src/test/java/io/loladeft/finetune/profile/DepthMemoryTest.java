package io.loladeft.finetune.profile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training memory rises with depth, by what the backward pass keeps per crossed layer. Not timed. Each
 * depth runs in a fresh JVM ({@link DepthMemory#runForked}) with large allocations going straight to
 * mmap, so glibc's cache of freed memory cannot blur the difference; the shape is chosen so one layer's
 * saved activations are about 24 MB, far above RSS noise. The analytic comparison for MiniLM and
 * roberta-base is a benchmark (docs/finetune.md, "Memory by depth against the planner").
 */
class DepthMemoryTest {

    @Test
    void trainingMemoryRisesWithDepthByTheSavedActivations() {
        int b = 16;
        int s = 128;
        // preset small: h=128, 4 layers, 4 heads, FFN 512, dropout 0.1
        List<String> child = List.of(
                "--model",
                "small",
                "--kind",
                "lora",
                "--batch",
                Integer.toString(b),
                "--seq",
                Integer.toString(s),
                "--steps",
                "1",
                "--warmup",
                "1");
        List<DepthMemory.Sample> m = DepthMemory.runForked(
                List.of("-Dai.djl.offline=true", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"),
                Map.of("MALLOC_MMAP_THRESHOLD_", "65536"),
                child,
                List.of(1, 4),
                null);
        double perLayer = (double) b * s * (7 * 128 + 512 + 3 * 4 * s) * 4; // docs/planning.md A_layer, 24.1 MB
        long t1 = m.get(0).trainingBytes();
        long t4 = m.get(1).trainingBytes();
        assertTrue(t1 > m.get(0).parameterBytes(), "depth 1 holds at least the weights: " + t1);
        double rise = t4 - t1;
        assertTrue(
                rise > 0.6 * 3 * perLayer && rise < 1.4 * 3 * perLayer,
                "depth 1 -> 4 should add about 3 layers of saved activations (" + 3 * perLayer / 1e6 + " MB), added "
                        + rise / 1e6 + " MB (depth 1: " + t1 / 1e6 + " MB, depth 4: " + t4 / 1e6 + " MB)");
    }
}
