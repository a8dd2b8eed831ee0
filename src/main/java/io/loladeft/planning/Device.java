package io.loladeft.planning;

/**
 * One edge device.
 *
 * @param name          unique name in the fleet
 * @param computeFlops  sustained compute {@code f_k}, FLOP/s
 * @param memoryBytes   memory budget {@code M_k}, bytes
 * @param txPowerDbm    transmit power, dBm ({@code p = 10^((dBm-30)/10)} W)
 * @param channelGainDb uplink channel power gain, dB ({@code g = 10^(dB/10)}; a path loss PL is {@code -PL})
 * @param profile       measured costs overriding the analytic ones, or {@code null}
 * @param bandwidthHz   a fixed uplink bandwidth for {@link Algorithm#CRUNCH}, or {@code null} for a fair share
 */
public record Device(
        String name,
        double computeFlops,
        double memoryBytes,
        double txPowerDbm,
        double channelGainDb,
        DeviceProfile profile,
        Double bandwidthHz) {

    /** A device with analytic costs and no fixed bandwidth. */
    public static Device of(
            String name, double computeFlops, double memoryBytes, double txPowerDbm, double channelGainDb) {
        return new Device(name, computeFlops, memoryBytes, txPowerDbm, channelGainDb, null, null);
    }

    public Device withProfile(DeviceProfile p) {
        return new Device(name, computeFlops, memoryBytes, txPowerDbm, channelGainDb, p, bandwidthHz);
    }

    public Device withBandwidthHz(Double hz) {
        return new Device(name, computeFlops, memoryBytes, txPowerDbm, channelGainDb, profile, hz);
    }
}
