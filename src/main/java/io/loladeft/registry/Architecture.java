package io.loladeft.registry;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** A RoBERTa encoder's shape (the fields of Hugging Face's config.json that size the work). */
@Schema(description = "RoBERTa architecture")
public record Architecture(
        @Schema(example = "12") @NotNull @Min(1) @Max(128) Integer layers,

        @Schema(example = "768") @NotNull @Min(1) @Max(65536)
        Integer hidden,

        @Schema(example = "12") @NotNull @Min(1) @Max(1024) Integer heads,

        @Schema(example = "3072") @NotNull @Min(1) @Max(262144)
        Integer intermediate,

        @Schema(example = "50265") @NotNull @Min(1) @Max(1_000_000)
        Integer vocab,

        @Schema(example = "514") @NotNull @Min(3) @Max(65536)
        Integer maxPositions) {}
