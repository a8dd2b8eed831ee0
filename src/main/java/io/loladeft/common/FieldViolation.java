package io.loladeft.common;

/** One thing wrong with a request: the JSON path of the field (or the thing) at fault, and why. */
public record FieldViolation(String field, String message) {}
