package io.loladeft.finetune.model;

import io.loladeft.finetune.blocks.BlockKind;
import io.loladeft.finetune.blocks.BlockSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Tensor names and shapes of one family, in Hugging Face's {@code *ForSequenceClassification}
 * naming: {@code roberta.*} or {@code bert.*} for the encoder. The heads differ by family and are
 * reached through the four roles {@link #headDenseWeight()} ... so the forward pass and the blocks
 * need not know which: RoBERTa's {@code classifier.dense} and {@code classifier.out_proj}, BERT's
 * {@code bert.pooler.dense} and {@code classifier}. PEFT tensors follow the PEFT library's names
 * ({@code lora_A}, {@code lora_B}); the adapter is named {@code output.adapter.{down,up}}.
 */
public record EncoderNames(EncoderConfig.Family family) {

    public static EncoderNames of(EncoderConfig config) {
        return new EncoderNames(config.family());
    }

    /** {@code roberta.} or {@code bert.}: what Hugging Face's task models put before the encoder. */
    public String prefix() {
        return family.wireName() + ".";
    }

    public String word() {
        return prefix() + "embeddings.word_embeddings.weight";
    }

    public String position() {
        return prefix() + "embeddings.position_embeddings.weight";
    }

    public String tokenType() {
        return prefix() + "embeddings.token_type_embeddings.weight";
    }

    public String embeddingNorm() {
        return prefix() + "embeddings.LayerNorm";
    }

    /** The head's first projection (hidden to hidden, then tanh): RoBERTa's dense, BERT's pooler. */
    public String headDense() {
        return family == EncoderConfig.Family.BERT ? prefix() + "pooler.dense" : "classifier.dense";
    }

    /** The head's output projection (hidden to labels). */
    public String headOut() {
        return family == EncoderConfig.Family.BERT ? "classifier" : "classifier.out_proj";
    }

    public String layer(int index) {
        return prefix() + "encoder.layer." + index + ".";
    }

    public List<String> embeddingTensors() {
        return List.of(word(), position(), tokenType(), embeddingNorm() + ".weight", embeddingNorm() + ".bias");
    }

    public List<String> headTensors() {
        return List.of(headDense() + ".weight", headDense() + ".bias", headOut() + ".weight", headOut() + ".bias");
    }

    /** The 16 tensors of encoder layer {@code index} (0-based). */
    public List<String> layerTensors(int index) {
        String p = layer(index);
        List<String> out = new ArrayList<>();
        for (String m : List.of(
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
                "intermediate.dense",
                "output.dense")) {
            out.add(p + m + ".weight");
            out.add(p + m + ".bias");
        }
        out.add(p + "attention.output.LayerNorm.weight");
        out.add(p + "attention.output.LayerNorm.bias");
        out.add(p + "output.LayerNorm.weight");
        out.add(p + "output.LayerNorm.bias");
        return out;
    }

    public List<String> loraTensors(int index) {
        String p = layer(index) + "attention.self.";
        return List.of(
                p + "query.lora_A.weight",
                p + "query.lora_B.weight",
                p + "value.lora_A.weight",
                p + "value.lora_B.weight");
    }

    public List<String> adapterTensors(int index) {
        String p = layer(index) + "output.adapter.";
        return List.of(p + "down.weight", p + "down.bias", p + "up.weight", p + "up.bias");
    }

    /** Backbone tensors: everything of the task model but the head. */
    public List<String> backboneTensors(EncoderConfig c) {
        List<String> out = new ArrayList<>(embeddingTensors());
        for (int i = 0; i < c.numLayers(); i++) {
            out.addAll(layerTensors(i));
        }
        return out;
    }

    /** All tensors of a model with these blocks: backbone, PEFT tensors of every layer, head. */
    public List<String> allTensors(EncoderConfig c, BlockSpec spec) {
        List<String> out = new ArrayList<>(backboneTensors(c));
        for (int i = 0; i < c.numLayers(); i++) {
            if (spec.kind() == BlockKind.LORA) {
                out.addAll(loraTensors(i));
            } else if (spec.kind() == BlockKind.ADAPTER) {
                out.addAll(adapterTensors(i));
            }
        }
        out.addAll(headTensors());
        return out;
    }

    /** The shape a tensor must have under this config; an unknown name is an error. */
    public long[] shapeOf(EncoderConfig c, BlockSpec spec, String name) {
        long h = c.hiddenSize();
        if (name.equals(word())) {
            return new long[] {c.vocabSize(), h};
        } else if (name.equals(position())) {
            return new long[] {c.maxPositions(), h};
        } else if (name.equals(tokenType())) {
            return new long[] {c.typeVocabSize(), h};
        } else if (name.startsWith(embeddingNorm() + ".") || name.equals(headDense() + ".bias")) {
            return new long[] {h};
        } else if (name.equals(headDense() + ".weight")) {
            return new long[] {h, h};
        } else if (name.equals(headOut() + ".weight")) {
            return new long[] {c.numLabels(), h};
        } else if (name.equals(headOut() + ".bias")) {
            return new long[] {c.numLabels()};
        }
        String layers = prefix() + "encoder.layer.";
        if (!name.startsWith(layers)) {
            throw new CheckpointException("unknown tensor " + name);
        }
        String rest = name.substring(layers.length());
        int dot = rest.indexOf('.');
        int index;
        try {
            index = Integer.parseInt(rest.substring(0, dot));
        } catch (RuntimeException e) {
            throw new CheckpointException("unknown tensor " + name);
        }
        if (index < 0 || index >= c.numLayers()) {
            throw new CheckpointException(
                    "tensor " + name + " is for layer " + index + " but the config has " + c.numLayers() + " layers");
        }
        String t = rest.substring(dot + 1);
        long i = c.intermediateSize();
        long r = spec.rank();
        long m = spec.bottleneck();
        return switch (t) {
            case "attention.self.query.weight",
                    "attention.self.key.weight",
                    "attention.self.value.weight",
                    "attention.output.dense.weight" -> new long[] {h, h};
            case "attention.self.query.bias",
                    "attention.self.key.bias",
                    "attention.self.value.bias",
                    "attention.output.dense.bias",
                    "attention.output.LayerNorm.weight",
                    "attention.output.LayerNorm.bias",
                    "output.dense.bias",
                    "output.LayerNorm.weight",
                    "output.LayerNorm.bias",
                    "output.adapter.up.bias" -> new long[] {h};
            case "intermediate.dense.weight" -> new long[] {i, h};
            case "intermediate.dense.bias" -> new long[] {i};
            case "output.dense.weight" -> new long[] {h, i};
            case "attention.self.query.lora_A.weight", "attention.self.value.lora_A.weight" -> new long[] {r, h};
            case "attention.self.query.lora_B.weight", "attention.self.value.lora_B.weight" -> new long[] {h, r};
            case "output.adapter.down.weight" -> new long[] {m, h};
            case "output.adapter.down.bias" -> new long[] {m};
            case "output.adapter.up.weight" -> new long[] {h, m};
            default -> throw new CheckpointException("unknown tensor " + name);
        };
    }

    public static long numel(long[] shape) {
        return HostTensor.numel(shape);
    }
}
