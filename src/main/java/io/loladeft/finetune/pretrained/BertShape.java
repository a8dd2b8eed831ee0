package io.loladeft.finetune.pretrained;

import java.util.LinkedHashMap;
import java.util.Map;

/** The sizes of a BERT encoder, as read from an imported file. */
record BertShape(
        int vocabSize,
        int hidden,
        int layers,
        int heads,
        int intermediate,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps) {

    /** The 16 tensors of one encoder layer, in transformers' order, relative to {@code encoder.layer.N.}. */
    static final String[] LAYER_TENSORS = {
        "attention.self.query.weight", "attention.self.query.bias",
        "attention.self.key.weight", "attention.self.key.bias",
        "attention.self.value.weight", "attention.self.value.bias",
        "attention.output.dense.weight", "attention.output.dense.bias",
        "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
        "intermediate.dense.weight", "intermediate.dense.bias",
        "output.dense.weight", "output.dense.bias",
        "output.LayerNorm.weight", "output.LayerNorm.bias",
    };

    /**
     * Every tensor of {@code BertModel}'s state dict with its shape, in the order transformers lists
     * them. The {@code position_ids}/{@code token_type_ids} buffers are not persistent in transformers
     * (not in its state dict), so they are not here.
     */
    Map<String, long[]> tensors(boolean pooler) {
        Map<String, long[]> out = new LinkedHashMap<>();
        out.put("embeddings.word_embeddings.weight", new long[] {vocabSize, hidden});
        out.put("embeddings.position_embeddings.weight", new long[] {maxPositions, hidden});
        out.put("embeddings.token_type_embeddings.weight", new long[] {typeVocabSize, hidden});
        out.put("embeddings.LayerNorm.weight", new long[] {hidden});
        out.put("embeddings.LayerNorm.bias", new long[] {hidden});
        for (int l = 0; l < layers; l++) {
            for (String t : LAYER_TENSORS) {
                out.put("encoder.layer." + l + "." + t, layerShape(t));
            }
        }
        if (pooler) {
            out.put("pooler.dense.weight", new long[] {hidden, hidden});
            out.put("pooler.dense.bias", new long[] {hidden});
        }
        return out;
    }

    private long[] layerShape(String tensor) {
        return switch (tensor) {
            case "intermediate.dense.weight" -> new long[] {intermediate, hidden};
            case "intermediate.dense.bias" -> new long[] {intermediate};
            case "output.dense.weight" -> new long[] {hidden, intermediate};
            default ->
                tensor.endsWith(".weight") && !tensor.contains("LayerNorm")
                        ? new long[] {hidden, hidden}
                        : new long[] {hidden};
        };
    }
}
