package io.loladeft.jobs;

import io.loladeft.plans.RoundPlanning;

/**
 * Emulated device time, the planner's model applied to what a worker measured: compute scaled by
 * the worker's FLOP/s over the device's, and the uploaded bytes over the planner's own Shannon rate
 * ({@code R = B log2(1 + p g / (N0 B))}) of the device's bandwidth at the round's gain.
 */
final class Emulation {

    private Emulation() {}

    static double computeSeconds(double measuredSeconds, double hostFlops, double deviceFlops) {
        return measuredSeconds * hostFlops / deviceFlops;
    }

    static double uploadSeconds(
            long bytes, double bandwidthHz, double txPowerDbm, double channelGainDb, double noisePsdDbmPerHz) {
        return RoundPlanning.uploadSeconds(bytes, bandwidthHz, txPowerDbm, channelGainDb, noisePsdDbmPerHz);
    }
}
