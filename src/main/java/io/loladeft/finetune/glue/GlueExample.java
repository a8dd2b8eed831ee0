package io.loladeft.finetune.glue;

/** One GLUE example: a sentence (or pair, {@code textB != null}) and its label (class index or score). */
public record GlueExample(String textA, String textB, float label) {}
