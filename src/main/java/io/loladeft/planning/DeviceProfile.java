package io.loladeft.planning;

import java.util.Arrays;

/**
 * A device's measured costs, overriding the analytic model. Index {@code d-1} holds depth {@code d = 1..L}:
 * the seconds of one local iteration and the peak bytes, everything included, when the device trains one
 * block of that depth. Both must be non-decreasing in depth (the planner rejects them otherwise).
 */
public record DeviceProfile(double[] computeSeconds, double[] memoryBytes) {

    public DeviceProfile {
        computeSeconds = computeSeconds == null ? null : computeSeconds.clone();
        memoryBytes = memoryBytes == null ? null : memoryBytes.clone();
    }

    @Override
    public double[] computeSeconds() {
        return computeSeconds == null ? null : computeSeconds.clone();
    }

    @Override
    public double[] memoryBytes() {
        return memoryBytes == null ? null : memoryBytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceProfile p
                && Arrays.equals(computeSeconds, p.computeSeconds)
                && Arrays.equals(memoryBytes, p.memoryBytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(computeSeconds) + Arrays.hashCode(memoryBytes);
    }

    @Override
    public String toString() {
        return "DeviceProfile[computeSeconds=" + Arrays.toString(computeSeconds) + ", memoryBytes="
                + Arrays.toString(memoryBytes) + "]";
    }
}
