package io.loladeft.common;

import java.util.List;

/**
 * Measured costs of training one parameter block at each depth {@code d = 1..L} (index {@code d-1}):
 * seconds of one local iteration and peak bytes, everything included. Both must be non-decreasing
 * in depth, which is what the planner's CRUNCH relies on.
 *
 * <p>{@code hostFlops} is set when the profile was measured on one host and should be scaled to
 * other devices by their {@code computeFlops} (a model's profile); a device's own profile leaves it
 * null.
 */
public record MeasuredProfile(List<Double> computeSeconds, List<Double> memoryBytes, Double hostFlops) {}
