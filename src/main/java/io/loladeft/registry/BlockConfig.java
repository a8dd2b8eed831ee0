package io.loladeft.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/** What one parameter block is: a LoRA pair, an adapter, or a whole layer; one block per layer. */
@Schema(description = "Parameter block kind and size")
public record BlockConfig(
        @Schema(example = "lora") @NotNull Kind kind,

        @Schema(description = "LoRA rank (lora only)", example = "8") @Min(1) @Max(4096)
        Integer rank,

        @Schema(description = "LoRA scaling alpha (lora only)", example = "16") @Positive
        Double alpha,

        @Schema(description = "Adapter bottleneck width (adapter only)", example = "64") @Min(1) @Max(65536)
        Integer bottleneck) {

    public enum Kind {
        @JsonProperty("lora")
        LORA,
        @JsonProperty("adapter")
        ADAPTER,
        @JsonProperty("layer")
        LAYER
    }

    public static final BlockConfig DEFAULT = new BlockConfig(Kind.LORA, 8, 16.0, null);
}
