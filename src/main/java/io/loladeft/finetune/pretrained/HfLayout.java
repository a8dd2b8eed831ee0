package io.loladeft.finetune.pretrained;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.loladeft.finetune.model.HfCheckpoint;
import io.loladeft.finetune.model.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The Hugging Face directory an import produces ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}), and the check that a directory holds all of it intact.
 */
final class HfLayout {

    static final String CONFIG = HfCheckpoint.CONFIG;
    static final String WEIGHTS = HfCheckpoint.WEIGHTS;
    static final String TOKENIZER = "tokenizer.json";

    private HfLayout() {}

    /** Writes config.json and model.safetensors; the caller adds tokenizer.json. */
    static void write(Path dir, ImportedBert bert) {
        try {
            Files.writeString(dir.resolve(CONFIG), configJson(bert.shape()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(CONFIG), e);
        }
        Safetensors.write(bert.tensors(), dir.resolve(WEIGHTS));
    }

    /** transformers' {@code BertConfig} for a bare {@code BertModel}; every size is read from the file. */
    static String configJson(BertShape s) {
        JsonObject c = new JsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add("BertModel");
        c.add("architectures", architectures);
        c.addProperty("model_type", "bert");
        c.addProperty("vocab_size", s.vocabSize());
        c.addProperty("hidden_size", s.hidden());
        c.addProperty("num_hidden_layers", s.layers());
        c.addProperty("num_attention_heads", s.heads());
        c.addProperty("intermediate_size", s.intermediate());
        c.addProperty("max_position_embeddings", s.maxPositions());
        c.addProperty("type_vocab_size", s.typeVocabSize());
        c.addProperty("layer_norm_eps", s.layerNormEps());
        // Not in the weights: BERT's [PAD] id, its erf GELU (the graph's Erf nodes) and its training-time
        // defaults, which matter only when fine-tuning.
        c.addProperty("pad_token_id", 0);
        c.addProperty("hidden_act", "gelu");
        c.addProperty("hidden_dropout_prob", 0.1);
        c.addProperty("attention_probs_dropout_prob", 0.1);
        c.addProperty("initializer_range", 0.02);
        return new GsonBuilder().setPrettyPrinting().create().toJson(c) + "\n";
    }

    /**
     * All three files present, config.json a BERT config, tokenizer.json non-empty, and model.safetensors
     * exactly as long as its header says (a truncated write fails this). Reads only the headers.
     */
    static boolean isComplete(Path dir) {
        try {
            Path config = dir.resolve(CONFIG);
            Path tokenizer = dir.resolve(TOKENIZER);
            if (!Files.isRegularFile(config) || !Files.isRegularFile(tokenizer) || Files.size(tokenizer) == 0) {
                return false;
            }
            JsonObject json = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
            return json.has("model_type")
                    && "bert".equals(json.get("model_type").getAsString())
                    && safetensorsIntact(dir.resolve(WEIGHTS));
        } catch (IOException | RuntimeException e) {
            return false; // unreadable or malformed: import again
        }
    }

    private static boolean safetensorsIntact(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(len, 0) != 8) {
                return false;
            }
            long headerLen = len.getLong(0);
            if (headerLen <= 0 || headerLen > 100L * 1024 * 1024 || 8 + headerLen > ch.size()) {
                return false;
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            ch.read(header, 8);
            JsonObject json = JsonParser.parseString(new String(header.array(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            long end = 0;
            int tensors = 0;
            for (String name : json.keySet()) {
                if (!name.equals("__metadata__")) {
                    end = Math.max(
                            end,
                            json.getAsJsonObject(name)
                                    .getAsJsonArray("data_offsets")
                                    .get(1)
                                    .getAsLong());
                    tensors++;
                }
            }
            return tensors > 0 && ch.size() == 8 + headerLen + end;
        }
    }
}
