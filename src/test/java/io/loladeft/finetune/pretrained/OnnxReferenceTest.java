package io.loladeft.finetune.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reference harness itself: shapes, finite values, and that the mask really masks. */
class OnnxReferenceTest {

    // "[CLS] hello world [SEP]" in the artifact's BERT vocabulary (tokenizer.json)
    private static final long[] HELLO_WORLD = {101, 7592, 2088, 102};

    private static OnnxReference reference;

    @BeforeAll
    static void open() {
        reference = OnnxReference.allMiniLmL6V2();
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    @Test
    void returnsFiniteHiddenStatesOfBatchBySeqBy384() {
        long[][] ids = {{101, 7592, 2088, 102, 0, 0}, {101, 2023, 2003, 1037, 3231, 102}};
        long[][] mask = {{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}};
        float[][][] out = reference.lastHiddenState(ids, mask);

        assertThat(out.length).isEqualTo(2);
        for (float[][] row : out) {
            assertThat(row.length).isEqualTo(6);
            for (float[] token : row) {
                assertThat(token.length).isEqualTo(384);
                for (float v : token) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            }
        }
        assertThat(out[0][1]).isNotEqualTo(out[1][1]);
    }

    @Test
    void paddingIsMaskedOut() {
        float[][][] alone = reference.lastHiddenState(new long[][] {HELLO_WORLD}, new long[][] {{1, 1, 1, 1}});
        float[][][] padded = reference.lastHiddenState(
                new long[][] {{101, 7592, 2088, 102, 0, 0, 0}}, new long[][] {{1, 1, 1, 1, 0, 0, 0}});
        for (int t = 0; t < HELLO_WORLD.length; t++) {
            for (int k = 0; k < 384; k++) {
                assertThat(padded[0][t][k]).isCloseTo(alone[0][t][k], within(1e-4f));
            }
        }
    }

    @Test
    void tokenTypesReachTheModel() {
        long[][] ids = {HELLO_WORLD};
        long[][] mask = {{1, 1, 1, 1}};
        float[][][] typeZero = reference.lastHiddenState(ids, mask, new long[][] {{0, 0, 0, 0}});
        float[][][] typeOne = reference.lastHiddenState(ids, mask, new long[][] {{0, 0, 1, 1}});
        assertThat(typeOne[0][3]).isNotEqualTo(typeZero[0][3]);
    }
}
