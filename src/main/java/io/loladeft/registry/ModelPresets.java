package io.loladeft.registry;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Models a user can register by name: published RoBERTa shapes (Hugging Face config.json values),
 * and the pretrained encoder the service ships, whose weights jobs load by its {@code pretrained}
 * name (all-MiniLM-L6-v2: a 6-layer BERT, hidden 384, 12 heads, FFN 1536, WordPiece 30,522, 512
 * positions).
 */
final class ModelPresets {

    static final String ALL_MINILM_L6_V2 = "all-minilm-l6-v2";

    static final Map<String, ModelRequest> ALL = new TreeMap<>(Map.of(
            "roberta-base",
            shape("roberta-base", new Architecture(12, 768, 12, 3072, 50265, 514)),
            "roberta-large",
            shape("roberta-large", new Architecture(24, 1024, 16, 4096, 50265, 514)),
            ALL_MINILM_L6_V2,
            new ModelRequest(
                    ALL_MINILM_L6_V2,
                    new Architecture(6, 384, 12, 1536, 30522, 512),
                    BlockConfig.DEFAULT,
                    Precision.FP32,
                    null,
                    null,
                    ALL_MINILM_L6_V2,
                    null)));

    private ModelPresets() {}

    static List<String> pretrainedNames() {
        return ALL.values().stream()
                .filter(m -> m.pretrained() != null)
                .map(ModelRequest::pretrained)
                .toList();
    }

    private static ModelRequest shape(String name, Architecture architecture) {
        return new ModelRequest(name, architecture, BlockConfig.DEFAULT, Precision.FP32, null, null, null, null);
    }
}
