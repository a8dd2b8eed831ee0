package io.loladeft.registry;

/** The result of an upsert: the stored record, and whether it was created (201) or replaced (200). */
public record Upserted<T>(T value, boolean created) {}
