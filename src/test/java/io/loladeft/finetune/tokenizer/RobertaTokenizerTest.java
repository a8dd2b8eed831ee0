package io.loladeft.finetune.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.loladeft.finetune.TestData;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RobertaTokenizerTest {

    private static RobertaTokenizer tok;

    @BeforeAll
    static void load() {
        tok = RobertaTokenizer.fromDirectory(TestData.robertaBaseTokenizer());
    }

    @Test
    void knownIdsFromTheSharedReadme() {
        assertArrayEquals(
                new long[] {0, 31414, 232, 2}, tok.encode("Hello world", 512).ids());
        assertEquals(0, tok.bosId());
        assertEquals(2, tok.eosId());
        assertEquals(1, tok.padId());
        assertEquals(50265, tok.vocabSize());
    }

    @Test
    void byteLevelPiecesRoundTripThroughTheVocabulary() {
        // " world" and "world" are distinct tokens; non-ASCII text still maps to known byte tokens
        List<Integer> a = tok.tokenize("world world");
        assertEquals(List.of(8331, 232), a);
        List<Integer> u = tok.tokenize("café ☃");
        for (int id : u) {
            assertEquals(true, id != 3, "no <unk> for byte-level input");
        }
    }

    @Test
    void pairsUseDoubleSeparatorAndTruncateLongestFirst() {
        long[] pair = tok.encodePair("Hello world", "Hello world", 512).ids();
        assertArrayEquals(new long[] {0, 31414, 232, 2, 2, 31414, 232, 2}, pair);
        long[] cut = tok.encodePair("Hello world Hello world", "Hello", 7).ids();
        assertEquals(7, cut.length);
        assertArrayEquals(new long[] {0, 31414, 232, 2, 2, 31414, 2}, cut);
        long[] single = tok.encode("Hello world Hello world", 4).ids();
        assertArrayEquals(new long[] {0, 31414, 232, 2}, single);
        assertThrows(IllegalArgumentException.class, () -> tok.encodePair("a", "b", 5));
    }

    @Test
    void paddingUsesPadIdOneAndMasksIt() {
        TextTokenizer.Padded p = tok.pad(List.of(tok.encode("Hello world", 16), tok.encode("Hello", 16)), 0);
        assertEquals(4, p.length());
        assertArrayEquals(new long[] {0, 31414, 232, 2, 0, 31414, 2, 1}, p.ids());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 0}, p.attentionMask());
        TextTokenizer.Padded fixed = tok.pad(List.of(tok.encode("Hello", 16)), 6);
        assertArrayEquals(new long[] {0, 31414, 2, 1, 1, 1}, fixed.ids());
    }
}
