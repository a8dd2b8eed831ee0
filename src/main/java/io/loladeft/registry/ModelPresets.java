package io.loladeft.registry;

import java.util.Map;
import java.util.TreeMap;

/** Published RoBERTa shapes a user can register by name (Hugging Face config.json values). */
final class ModelPresets {

    static final Map<String, ModelBody> ALL = new TreeMap<>(Map.of(
            "roberta-base", preset("roberta-base", new Architecture(12, 768, 12, 3072, 50265, 514)),
            "roberta-large", preset("roberta-large", new Architecture(24, 1024, 16, 4096, 50265, 514))));

    private ModelPresets() {}

    private static ModelBody preset(String name, Architecture architecture) {
        return new ModelBody(name, architecture, BlockConfig.DEFAULT, Precision.FP32, null, null, null);
    }
}
