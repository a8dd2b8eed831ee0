package io.loladeft.finetune.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The shape of a BERT-family encoder, the fields of a Hugging Face {@code config.json} that the
 * forward pass needs. {@code family} says which of the two layouts it is: RoBERTa (positions offset
 * past the pad id, one token type, {@code roberta.*} names) or BERT (absolute positions from 0, two
 * token types for pairs, {@code bert.*} names, a pooler). {@code numLabels == 1} means a regression
 * head (STS-B), otherwise a classifier.
 */
public record EncoderConfig(
        Family family,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        float layerNormEps,
        int padTokenId,
        int numLabels,
        float hiddenDropout,
        float attentionDropout,
        float initializerRange) {

    /** The two layouts of the family; {@code wireName} is Hugging Face's {@code model_type}. */
    public enum Family {
        ROBERTA,
        BERT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Family parse(String modelType) {
            return switch (modelType) {
                case "roberta" -> ROBERTA;
                case "bert" -> BERT;
                default ->
                    throw new IllegalArgumentException(
                            "model_type '" + modelType + "' is not supported (bert or roberta)");
            };
        }
    }

    public EncoderConfig {
        if (family == null) {
            throw new IllegalArgumentException("family is required");
        }
        if (vocabSize <= 0 || hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || intermediateSize <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + this);
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden size " + hiddenSize + " is not a multiple of the head count " + numHeads);
        }
        if (family == Family.ROBERTA && maxPositions <= padTokenId + 1) {
            throw new IllegalArgumentException("max positions must exceed pad id + 1 (RoBERTa's position offset)");
        }
        if (numLabels <= 0) {
            throw new IllegalArgumentException("numLabels must be >= 1, got " + numLabels);
        }
        if (hiddenDropout < 0 || hiddenDropout >= 1 || attentionDropout < 0 || attentionDropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1)");
        }
    }

    /** RoBERTa's byte-level BPE vocabulary, the same for roberta-base and roberta-large. */
    public static final int ROBERTA_VOCAB = 50265;

    /** RoBERTa's position table: 512 tokens, after the pad id and the one position before it. */
    public static final int ROBERTA_MAX_POSITIONS = 514;

    /** {@code roberta-base}: 12 layers, hidden 768, 12 heads, FFN 3072. */
    public static EncoderConfig robertaBase(int numLabels) {
        return roberta(12, 768, 12, 3072, ROBERTA_VOCAB, ROBERTA_MAX_POSITIONS, numLabels);
    }

    /** {@code roberta-large}: 24 layers, hidden 1024, 16 heads, FFN 4096. */
    public static EncoderConfig robertaLarge(int numLabels) {
        return roberta(24, 1024, 16, 4096, ROBERTA_VOCAB, ROBERTA_MAX_POSITIONS, numLabels);
    }

    /**
     * A RoBERTa of any shape (the arguments in the order of the API's {@code architecture}) with
     * RoBERTa's conventions: one token type, LayerNorm eps 1e-5, pad id 1, dropout 0.1, initializer
     * range 0.02.
     */
    public static EncoderConfig roberta(
            int layers, int hidden, int heads, int intermediate, int vocab, int maxPositions, int numLabels) {
        return new EncoderConfig(
                Family.ROBERTA,
                vocab,
                hidden,
                layers,
                heads,
                intermediate,
                maxPositions,
                1,
                1e-5f,
                1,
                numLabels,
                0.1f,
                0.1f,
                0.02f);
    }

    /**
     * {@code all-MiniLM-L6-v2}: a 6-layer BERT, hidden 384, 12 heads, FFN 1536, the uncased WordPiece
     * vocabulary of 30,522 and 512 positions.
     */
    public static EncoderConfig miniLmL6(int numLabels) {
        return new EncoderConfig(Family.BERT, 30522, 384, 6, 12, 1536, 512, 2, 1e-12f, 0, numLabels, 0.1f, 0.1f, 0.02f);
    }

    /** A tiny model for tests: the real vocabulary size is not needed, ids must stay below {@code vocab}. */
    public static EncoderConfig tiny(int vocab, int layers, int numLabels) {
        return roberta(layers, 32, 4, 64, vocab, 66, numLabels).withDropout(0f, 0f);
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Longest token sequence the position table allows (RoBERTa positions start at pad id + 1). */
    public int maxSequenceLength() {
        return family == Family.ROBERTA ? maxPositions - padTokenId - 1 : maxPositions;
    }

    public EncoderConfig withDropout(float hidden, float attention) {
        return new EncoderConfig(
                family,
                vocabSize,
                hiddenSize,
                numLayers,
                numHeads,
                intermediateSize,
                maxPositions,
                typeVocabSize,
                layerNormEps,
                padTokenId,
                numLabels,
                hidden,
                attention,
                initializerRange);
    }

    public EncoderConfig withLayers(int layers) {
        return new EncoderConfig(
                family,
                vocabSize,
                hiddenSize,
                layers,
                numHeads,
                intermediateSize,
                maxPositions,
                typeVocabSize,
                layerNormEps,
                padTokenId,
                numLabels,
                hiddenDropout,
                attentionDropout,
                initializerRange);
    }

    /**
     * Reads a Hugging Face {@code config.json}: {@code model_type} {@code bert} or {@code roberta}
     * (absent: roberta). Missing optional fields take the family's defaults (RoBERTa: pad id 1, one
     * token type, eps 1e-5; BERT: pad id 0, two token types, eps 1e-12); {@code numLabels} comes from {@code num_labels} or
     * {@code id2label} unless {@code numLabelsOverride > 0}.
     */
    public static EncoderConfig fromJson(Path configJson, int numLabelsOverride) {
        String text;
        try {
            text = Files.readString(configJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + configJson, e);
        }
        JsonObject o;
        try {
            o = JsonParser.parseString(text).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(configJson + ": not a JSON object: " + e.getMessage(), e);
        }
        Family family;
        try {
            family = Family.parse(str(o, "model_type", "roberta"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configJson + ": " + e.getMessage(), e);
        }
        boolean bert = family == Family.BERT;
        String act = str(o, "hidden_act", "gelu");
        if (!act.equals("gelu")) {
            throw new IllegalArgumentException(
                    configJson + ": hidden_act '" + act + "' is not supported (only exact gelu)");
        }
        int labels = numLabelsOverride > 0
                ? numLabelsOverride
                : o.has("num_labels")
                        ? o.get("num_labels").getAsInt()
                        : o.has("id2label") && o.get("id2label").isJsonObject()
                                ? o.getAsJsonObject("id2label").size()
                                : 2;
        try {
            return new EncoderConfig(
                    family,
                    req(o, "vocab_size", configJson),
                    req(o, "hidden_size", configJson),
                    req(o, "num_hidden_layers", configJson),
                    req(o, "num_attention_heads", configJson),
                    req(o, "intermediate_size", configJson),
                    req(o, "max_position_embeddings", configJson),
                    num(o, "type_vocab_size", bert ? 2 : 1),
                    (float) dbl(o, "layer_norm_eps", bert ? 1e-12 : 1e-5),
                    num(o, "pad_token_id", bert ? 0 : 1),
                    labels,
                    (float) dbl(o, "hidden_dropout_prob", 0.1),
                    (float) dbl(o, "attention_probs_dropout_prob", 0.1),
                    (float) dbl(o, "initializer_range", 0.02));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configJson + ": " + e.getMessage(), e);
        }
    }

    /** The {@code config.json} of a {@code RobertaForSequenceClassification} or {@code BertForSequenceClassification}. */
    public String toJson() {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add(family == Family.BERT ? "BertForSequenceClassification" : "RobertaForSequenceClassification");
        o.add("architectures", arch);
        o.addProperty("model_type", family.wireName());
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("num_hidden_layers", numLayers);
        o.addProperty("num_attention_heads", numHeads);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("max_position_embeddings", maxPositions);
        o.addProperty("type_vocab_size", typeVocabSize);
        o.addProperty("layer_norm_eps", layerNormEps);
        o.addProperty("pad_token_id", padTokenId);
        if (family == Family.ROBERTA) {
            o.addProperty("bos_token_id", 0);
            o.addProperty("eos_token_id", 2);
        } else {
            o.addProperty("position_embedding_type", "absolute");
        }
        o.addProperty("hidden_act", "gelu");
        o.addProperty("hidden_dropout_prob", hiddenDropout);
        o.addProperty("attention_probs_dropout_prob", attentionDropout);
        o.addProperty("initializer_range", initializerRange);
        o.addProperty("num_labels", numLabels);
        o.addProperty("problem_type", numLabels == 1 ? "regression" : "single_label_classification");
        JsonObject id2label = new JsonObject();
        JsonObject label2id = new JsonObject();
        for (int i = 0; i < numLabels; i++) {
            id2label.addProperty(String.valueOf(i), "LABEL_" + i);
            label2id.addProperty("LABEL_" + i, i);
        }
        o.add("id2label", id2label);
        o.add("label2id", label2id);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    private static int req(JsonObject o, String key, Path file) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("missing required field '" + key + "' in " + file);
        }
        return e.getAsInt();
    }

    private static int num(JsonObject o, String key, int dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsInt();
    }

    private static double dbl(JsonObject o, String key, double dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsDouble();
    }

    private static String str(JsonObject o, String key, String dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsString();
    }
}
