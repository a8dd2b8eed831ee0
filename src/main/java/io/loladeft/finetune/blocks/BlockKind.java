package io.loladeft.finetune.blocks;

import java.util.Locale;

/**
 * What one parameter block is: a LoRA pair on query and value, a bottleneck adapter, or a whole layer (a model's
 * block kind, one block per encoder layer), or the task head ({@link #HEAD}: one block per model, above the top
 * layer, never a model's block kind).
 */
public enum BlockKind {
    LORA,
    ADAPTER,
    LAYER,
    HEAD;

    /** A model's block kind by name: lora, adapter or layer. */
    public static BlockKind parse(String s) {
        BlockKind k;
        try {
            k = valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            k = HEAD;
        }
        if (k == HEAD) {
            throw new IllegalArgumentException("unknown block kind '" + s + "' (expected lora, adapter or layer)");
        }
        return k;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
