package io.loladeft.finetune.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shape of a RoBERTa model, the fields of a Hugging Face {@code config.json} that the forward
 * pass needs. {@code numLabels == 1} means a regression head (STS-B), otherwise a classifier.
 */
public record RobertaConfig(
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

    public RobertaConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || intermediateSize <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + this);
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden size " + hiddenSize + " is not a multiple of the head count " + numHeads);
        }
        if (maxPositions <= padTokenId + 1) {
            throw new IllegalArgumentException("max positions must exceed pad id + 1 (RoBERTa's position offset)");
        }
        if (numLabels <= 0) {
            throw new IllegalArgumentException("numLabels must be >= 1, got " + numLabels);
        }
        if (hiddenDropout < 0 || hiddenDropout >= 1 || attentionDropout < 0 || attentionDropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1)");
        }
    }

    /** {@code roberta-base}: 12 layers, hidden 768, 12 heads, FFN 3072. */
    public static RobertaConfig robertaBase(int numLabels) {
        return new RobertaConfig(50265, 768, 12, 12, 3072, 514, 1, 1e-5f, 1, numLabels, 0.1f, 0.1f, 0.02f);
    }

    /** {@code roberta-large}: 24 layers, hidden 1024, 16 heads, FFN 4096. */
    public static RobertaConfig robertaLarge(int numLabels) {
        return new RobertaConfig(50265, 1024, 24, 16, 4096, 514, 1, 1e-5f, 1, numLabels, 0.1f, 0.1f, 0.02f);
    }

    /** A tiny model for tests: the real vocabulary size is not needed, ids must stay below {@code vocab}. */
    public static RobertaConfig tiny(int vocab, int layers, int numLabels) {
        return new RobertaConfig(vocab, 32, layers, 4, 64, 66, 1, 1e-5f, 1, numLabels, 0f, 0f, 0.02f);
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Longest token sequence the position table allows (RoBERTa positions start at pad id + 1). */
    public int maxSequenceLength() {
        return maxPositions - padTokenId - 1;
    }

    public RobertaConfig withNumLabels(int labels) {
        return new RobertaConfig(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, padTokenId, labels, hiddenDropout, attentionDropout, initializerRange);
    }

    public RobertaConfig withDropout(float hidden, float attention) {
        return new RobertaConfig(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, padTokenId, numLabels, hidden, attention, initializerRange);
    }

    public RobertaConfig withLayers(int layers) {
        return new RobertaConfig(vocabSize, hiddenSize, layers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, padTokenId, numLabels, hiddenDropout, attentionDropout, initializerRange);
    }

    /**
     * Reads a Hugging Face {@code config.json}. Missing optional fields take RoBERTa's defaults
     * (pad id 1, type vocabulary 1, eps 1e-5); {@code numLabels} comes from {@code num_labels} or
     * {@code id2label} unless {@code numLabelsOverride > 0}.
     */
    public static RobertaConfig fromJson(Path configJson, int numLabelsOverride) {
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
        String act = str(o, "hidden_act", "gelu");
        if (!act.equals("gelu")) {
            throw new IllegalArgumentException(configJson + ": hidden_act '" + act + "' is not supported (only exact gelu)");
        }
        int labels = numLabelsOverride > 0 ? numLabelsOverride
                : o.has("num_labels") ? o.get("num_labels").getAsInt()
                : o.has("id2label") && o.get("id2label").isJsonObject() ? o.getAsJsonObject("id2label").size() : 2;
        try {
            return new RobertaConfig(
                    req(o, "vocab_size", configJson), req(o, "hidden_size", configJson),
                    req(o, "num_hidden_layers", configJson), req(o, "num_attention_heads", configJson),
                    req(o, "intermediate_size", configJson), req(o, "max_position_embeddings", configJson),
                    num(o, "type_vocab_size", 1), (float) dbl(o, "layer_norm_eps", 1e-5),
                    num(o, "pad_token_id", 1), labels,
                    (float) dbl(o, "hidden_dropout_prob", 0.1), (float) dbl(o, "attention_probs_dropout_prob", 0.1),
                    (float) dbl(o, "initializer_range", 0.02));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configJson + ": " + e.getMessage(), e);
        }
    }

    /** The {@code config.json} of a {@code RobertaForSequenceClassification} with this shape. */
    public String toJson() {
        JsonObject o = new JsonObject();
        com.google.gson.JsonArray arch = new com.google.gson.JsonArray();
        arch.add("RobertaForSequenceClassification");
        o.add("architectures", arch);
        o.addProperty("model_type", "roberta");
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("num_hidden_layers", numLayers);
        o.addProperty("num_attention_heads", numHeads);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("max_position_embeddings", maxPositions);
        o.addProperty("type_vocab_size", typeVocabSize);
        o.addProperty("layer_norm_eps", layerNormEps);
        o.addProperty("pad_token_id", padTokenId);
        o.addProperty("bos_token_id", 0);
        o.addProperty("eos_token_id", 2);
        o.addProperty("hidden_act", "gelu");
        o.addProperty("hidden_dropout_prob", hiddenDropout);
        o.addProperty("attention_probs_dropout_prob", attentionDropout);
        o.addProperty("initializer_range", initializerRange);
        o.addProperty("num_labels", numLabels);
        o.addProperty("problem_type", numLabels == 1 ? "regression" : "single_label_classification");
        return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o);
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
