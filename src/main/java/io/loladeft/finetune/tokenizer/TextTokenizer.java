package io.loladeft.finetune.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Text to token ids for the encoder: one sentence or a pair, with the model's special tokens and
 * token types, truncated longest-first to a length; {@link #pad} makes a batch of them.
 */
public interface TextTokenizer extends AutoCloseable {

    /** The ids of {@code a} (and {@code b} when not null) with special tokens, at most {@code maxLength}. */
    Encoding encodePair(String a, String b, int maxLength);

    /** The id padding fills with (RoBERTa's {@code <pad>} is 1, BERT's {@code [PAD]} 0). */
    int padId();

    /**
     * The tokenizer a directory holds: a Hugging Face {@code tokenizer.json} (any model, through the
     * tokenizers library), else RoBERTa's {@code vocab.json} and {@code merges.txt}.
     */
    static TextTokenizer fromDirectory(Path dir) {
        Path json = dir.resolve(HfTokenizer.FILE);
        if (Files.isRegularFile(json)) {
            return HfTokenizer.fromFile(json);
        }
        return RobertaTokenizer.fromDirectory(dir);
    }

    /** Whether {@link #fromDirectory} finds a tokenizer in {@code dir}. */
    static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(HfTokenizer.FILE))
                || Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"));
    }

    /**
     * Pads encodings to {@code length} (or, when {@code length <= 0}, to the longest of them) with the
     * pad id and token type 0; the attention mask is 1 on tokens and 0 on padding. Row-major
     * {@code [n, length]}.
     */
    default Padded pad(List<Encoding> encodings, int length) {
        int len = length;
        if (len <= 0) {
            for (Encoding e : encodings) {
                len = Math.max(len, e.ids().length);
            }
        }
        long[] ids = new long[encodings.size() * len];
        long[] types = new long[ids.length];
        long[] mask = new long[ids.length];
        Arrays.fill(ids, padId());
        for (int r = 0; r < encodings.size(); r++) {
            Encoding e = encodings.get(r);
            if (e.ids().length > len) {
                throw new IllegalArgumentException(
                        "encoding of " + e.ids().length + " tokens does not fit length " + len);
            }
            System.arraycopy(e.ids(), 0, ids, r * len, e.ids().length);
            System.arraycopy(e.typeIds(), 0, types, r * len, e.typeIds().length);
            Arrays.fill(mask, r * len, r * len + e.ids().length, 1L);
        }
        return new Padded(encodings.size(), len, ids, types, mask);
    }

    /** Nothing to release by default; a native tokenizer overrides this. */
    @Override
    default void close() {}

    /** Unpadded ids of one text or pair, and their token types (segment 0 or 1). */
    record Encoding(long[] ids, long[] typeIds) {
        public Encoding {
            if (ids.length != typeIds.length) {
                throw new IllegalArgumentException(ids.length + " ids but " + typeIds.length + " token types");
            }
        }
    }

    /** A padded batch of encodings. */
    record Padded(int rows, int length, long[] ids, long[] typeIds, long[] attentionMask) {}
}
