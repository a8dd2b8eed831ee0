package io.loladeft.finetune.model;

import io.loladeft.finetune.blocks.BlockKind;
import io.loladeft.finetune.blocks.BlockSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Tensor names and shapes, in Hugging Face {@code RobertaForSequenceClassification} naming. PEFT
 * tensors follow the PEFT library's names ({@code lora_A}, {@code lora_B}) and an adapter named
 * {@code output.adapter.{down,up}}.
 */
public final class RobertaNames {

    public static final String PREFIX = "roberta.";
    public static final String WORD = "roberta.embeddings.word_embeddings.weight";
    public static final String POSITION = "roberta.embeddings.position_embeddings.weight";
    public static final String TOKEN_TYPE = "roberta.embeddings.token_type_embeddings.weight";
    public static final String EMB_LN_W = "roberta.embeddings.LayerNorm.weight";
    public static final String EMB_LN_B = "roberta.embeddings.LayerNorm.bias";
    public static final String HEAD_DENSE_W = "classifier.dense.weight";
    public static final String HEAD_DENSE_B = "classifier.dense.bias";
    public static final String HEAD_OUT_W = "classifier.out_proj.weight";
    public static final String HEAD_OUT_B = "classifier.out_proj.bias";

    private RobertaNames() {
    }

    public static String layer(int index) {
        return "roberta.encoder.layer." + index + ".";
    }

    public static List<String> embeddingTensors() {
        return List.of(WORD, POSITION, TOKEN_TYPE, EMB_LN_W, EMB_LN_B);
    }

    public static List<String> headTensors() {
        return List.of(HEAD_DENSE_W, HEAD_DENSE_B, HEAD_OUT_W, HEAD_OUT_B);
    }

    /** The 16 tensors of encoder layer {@code index} (0-based). */
    public static List<String> layerTensors(int index) {
        String p = layer(index);
        List<String> out = new ArrayList<>();
        for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense", "intermediate.dense", "output.dense")) {
            out.add(p + m + ".weight");
            out.add(p + m + ".bias");
        }
        out.add(p + "attention.output.LayerNorm.weight");
        out.add(p + "attention.output.LayerNorm.bias");
        out.add(p + "output.LayerNorm.weight");
        out.add(p + "output.LayerNorm.bias");
        return out;
    }

    public static List<String> loraTensors(int index) {
        String p = layer(index) + "attention.self.";
        return List.of(p + "query.lora_A.weight", p + "query.lora_B.weight",
                p + "value.lora_A.weight", p + "value.lora_B.weight");
    }

    public static List<String> adapterTensors(int index) {
        String p = layer(index) + "output.adapter.";
        return List.of(p + "down.weight", p + "down.bias", p + "up.weight", p + "up.bias");
    }

    /** Backbone tensors (everything of {@code RobertaForSequenceClassification} but the head). */
    public static List<String> backboneTensors(RobertaConfig c) {
        List<String> out = new ArrayList<>(embeddingTensors());
        for (int i = 0; i < c.numLayers(); i++) {
            out.addAll(layerTensors(i));
        }
        return out;
    }

    /** All tensors of a model with these blocks: backbone, PEFT tensors of every layer, head. */
    public static List<String> allTensors(RobertaConfig c, BlockSpec spec) {
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
    public static long[] shapeOf(RobertaConfig c, BlockSpec spec, String name) {
        long h = c.hiddenSize();
        switch (name) {
            case WORD: return new long[] {c.vocabSize(), h};
            case POSITION: return new long[] {c.maxPositions(), h};
            case TOKEN_TYPE: return new long[] {c.typeVocabSize(), h};
            case EMB_LN_W, EMB_LN_B, HEAD_DENSE_B: return new long[] {h};
            case HEAD_DENSE_W: return new long[] {h, h};
            case HEAD_OUT_W: return new long[] {c.numLabels(), h};
            case HEAD_OUT_B: return new long[] {c.numLabels()};
            default: break;
        }
        if (!name.startsWith("roberta.encoder.layer.")) {
            throw new CheckpointException("unknown tensor " + name);
        }
        String rest = name.substring("roberta.encoder.layer.".length());
        int dot = rest.indexOf('.');
        int index;
        try {
            index = Integer.parseInt(rest.substring(0, dot));
        } catch (RuntimeException e) {
            throw new CheckpointException("unknown tensor " + name);
        }
        if (index < 0 || index >= c.numLayers()) {
            throw new CheckpointException("tensor " + name + " is for layer " + index + " but the config has "
                    + c.numLayers() + " layers");
        }
        String t = rest.substring(dot + 1);
        long i = c.intermediateSize();
        long r = spec.loraRank();
        long m = spec.adapterSize();
        return switch (t) {
            case "attention.self.query.weight", "attention.self.key.weight", "attention.self.value.weight",
                    "attention.output.dense.weight" -> new long[] {h, h};
            case "attention.self.query.bias", "attention.self.key.bias", "attention.self.value.bias",
                    "attention.output.dense.bias", "attention.output.LayerNorm.weight",
                    "attention.output.LayerNorm.bias", "output.dense.bias", "output.LayerNorm.weight",
                    "output.LayerNorm.bias", "output.adapter.up.bias" -> new long[] {h};
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
