package io.loladeft.registry;

/**
 * A round a job completed on a device, as the registry's recalibration consumes it (an application event: the
 * jobs module publishes it, {@link Recalibration} listens, so neither reaches into the other).
 *
 * @param device             the device's name (not registered, or since deleted: ignored)
 * @param effectiveFlops     the cost model's FLOPs of the device's blocks over the round's measured compute seconds
 * @param depth              deepest depth (1..L) the device trained, for its per-depth profile; null when the round
 *                           ran other settings (batch, sequence length) than the profile describes
 * @param secondsPerIteration measured compute seconds of one local iteration at {@code depth}
 */
public record DeviceMeasured(String device, double effectiveFlops, Integer depth, double secondsPerIteration) {}
