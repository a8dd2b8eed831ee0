package io.loladeft.finetune.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.loladeft.finetune.train.TorchThread;
import org.junit.jupiter.api.Test;

/**
 * {@link StepDropout} is inverted dropout: every element is either 0 or {@code x / (1 - rate)}, about
 * {@code 1 - rate} of them are kept, the gradient is the same mask, and the engine's seed fixes the mask.
 */
class StepDropoutTest {

    private static final int N = 1 << 20;

    @Test
    void keepsOneMinusRateOfTheElementsScaledAndZeroesTheRest() {
        TorchThread.prepare();
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = 1f + (i % 97) / 8f; // never 0, so a zero means dropped
        }
        float scale = 1f / (1f - 0.1f);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] y = StepDropout.of(m, 0.1f, true).apply(m.create(x)).toFloatArray();
            int kept = 0;
            for (int i = 0; i < N; i++) {
                if (y[i] != 0f) {
                    kept++;
                    assertEquals(x[i] * scale, y[i], 0f, "element " + i);
                }
            }
            // Binomial(N, 0.9): standard deviation sqrt(N * 0.09) = 307; five of them either side
            double sd = Math.sqrt(N * 0.9 * 0.1);
            assertTrue(Math.abs(kept - 0.9 * N) < 5 * sd, "kept " + kept + " of " + N);
        }
    }

    @Test
    void theSeedFixesTheMaskAndTheGradientIsTheMask() {
        TorchThread.prepare();
        float[] first = dropGradient(42);
        float[] again = dropGradient(42);
        float[] other = dropGradient(43);
        assertArrayEquals(first, again, 0f);
        assertTrue(!java.util.Arrays.equals(first, other), "another seed, another mask");
        float scale = 1f / (1f - 0.1f);
        for (float g : first) {
            assertTrue(g == 0f || g == scale, "gradient " + g);
        }
    }

    @Test
    void offWhenNotTrainingOrAtRateZero() {
        TorchThread.prepare();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(4, 4));
            assertSame(x, StepDropout.of(m, 0.1f, false).apply(x));
            assertSame(x, StepDropout.of(m, 0f, true).apply(x));
        }
    }

    /** The gradient of sum(dropout(x)) with respect to x, after seeding the engine. */
    private static float[] dropGradient(int seed) {
        Engine.getInstance().setRandomSeed(seed);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(64, 64));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(StepDropout.of(m, 0.1f, true).apply(x).sum());
            }
            return x.getGradient().toFloatArray();
        }
    }
}
