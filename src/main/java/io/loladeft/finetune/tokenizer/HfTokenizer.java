package io.loladeft.finetune.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Hugging Face {@code tokenizer.json} (WordPiece for BERT, BPE for RoBERTa, ...) run by the
 * tokenizers library itself through DJL's binding, whose native library ships in its jar: the same
 * normaliser, pre-tokeniser, model and post-processor ({@code [CLS] A [SEP] B [SEP]} with token types
 * 0 and 1 for BERT) as transformers' fast tokenizers. Truncation is longest-first, as the library
 * does it; one native tokenizer per maximum length, since the library fixes the length per instance.
 * Thread-safe.
 */
public final class HfTokenizer implements TextTokenizer {

    public static final String FILE = "tokenizer.json";

    private static final Set<String> PAD_TOKENS = Set.of("[PAD]", "<pad>");

    private final Path file;
    private final int padId;
    private final Map<Integer, HuggingFaceTokenizer> byLength = new ConcurrentHashMap<>();

    private HfTokenizer(Path file, int padId) {
        this.file = file;
        this.padId = padId;
    }

    public static HfTokenizer fromFile(Path tokenizerJson) {
        return new HfTokenizer(tokenizerJson, padId(tokenizerJson));
    }

    @Override
    public Encoding encodePair(String a, String b, int maxLength) {
        HuggingFaceTokenizer t = byLength.computeIfAbsent(maxLength, this::open);
        ai.djl.huggingface.tokenizers.Encoding e = b == null ? t.encode(a) : t.encode(a, b);
        return new Encoding(e.getIds(), e.getTypeIds());
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public void close() {
        byLength.values().forEach(HuggingFaceTokenizer::close);
        byLength.clear();
    }

    private HuggingFaceTokenizer open(int maxLength) {
        try {
            return HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(true)
                    .optTruncation(true)
                    .optMaxLength(maxLength)
                    .optPadding(false)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + file, e);
        }
    }

    /** The pad id: the {@code [PAD]} or {@code <pad>} among the added tokens, else in the vocabulary. */
    static int padId(Path tokenizerJson) {
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(tokenizerJson, StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(tokenizerJson + ": not a tokenizer.json (" + e.getMessage() + ")", e);
        }
        if (o.has("added_tokens") && o.get("added_tokens").isJsonArray()) {
            for (JsonElement t : o.getAsJsonArray("added_tokens")) {
                JsonObject tok = t.getAsJsonObject();
                if (PAD_TOKENS.contains(tok.get("content").getAsString())) {
                    return tok.get("id").getAsInt();
                }
            }
        }
        JsonElement model = o.get("model");
        if (model != null
                && model.isJsonObject()
                && model.getAsJsonObject().has("vocab")
                && model.getAsJsonObject().get("vocab").isJsonObject()) {
            JsonObject vocab = model.getAsJsonObject().getAsJsonObject("vocab");
            for (String p : PAD_TOKENS) {
                if (vocab.has(p)) {
                    return vocab.get(p).getAsInt();
                }
            }
        }
        throw new IllegalArgumentException(tokenizerJson + ": no [PAD] or <pad> token");
    }
}
