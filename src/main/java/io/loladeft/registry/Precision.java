package io.loladeft.registry;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Numeric precision of the backbone weights; sets bytes per weight in the cost model. */
public enum Precision {
    @JsonProperty("fp32")
    FP32(4),
    @JsonProperty("fp16")
    FP16(2),
    @JsonProperty("bf16")
    BF16(2);

    private final int bytes;

    Precision(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
