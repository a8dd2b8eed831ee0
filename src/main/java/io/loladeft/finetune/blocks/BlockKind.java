package io.loladeft.finetune.blocks;

import java.util.Locale;

/** What one parameter block is: a LoRA pair on query and value, a bottleneck adapter, or a whole layer. */
public enum BlockKind {
    LORA, ADAPTER, LAYER;

    public static BlockKind parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown block kind '" + s + "' (expected lora, adapter or layer)");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
