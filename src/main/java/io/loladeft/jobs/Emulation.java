package io.loladeft.jobs;

/**
 * Emulated device time, the planner's model applied to what a worker measured: compute scaled by
 * the worker's FLOP/s over the device's, and the uploaded bytes over the Shannon rate of the
 * device's planned bandwidth ({@code R = B log2(1 + p g / (N0 B))}, as in planning's uplink).
 */
final class Emulation {

    private Emulation() {}

    static double computeSeconds(double measuredSeconds, double hostFlops, double deviceFlops) {
        return measuredSeconds * hostFlops / deviceFlops;
    }

    static double uploadSeconds(long bytes, double bandwidthHz, double txPowerDbm, double channelGainDb,
            double noisePsdDbmPerHz) {
        if (bytes == 0) {
            return 0;
        }
        double gamma = Math.pow(10, (txPowerDbm - 30) / 10) * Math.pow(10, channelGainDb / 10)
                / Math.pow(10, (noisePsdDbmPerHz - 30) / 10);
        double rate = bandwidthHz * Math.log1p(gamma / bandwidthHz) / Math.log(2);
        return rate > 0 ? bytes * 8.0 / rate : Double.POSITIVE_INFINITY;
    }
}
