package io.loladeft.planning.channel;

import io.loladeft.planning.Assignment;
import io.loladeft.planning.Block;
import io.loladeft.planning.Device;
import io.loladeft.planning.Plan;
import io.loladeft.planning.PlanningProblem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fixed plan takes in a round whose gains differ from those it was planned on: the blocks, the compute and
 * the bandwidths stay as planned, the uploads run at the round's Shannon rate
 * {@code R = B_k log2(1 + p_k g_k / (N0 B_k))}; the round ends with its slowest involved device. Its own transcription
 * of the rate (the core's {@code Uplink} is internal to the solvers), with the core's guard for a ratio that
 * overflows.
 */
public final class RealizedLatency {

    private static final double LN2 = Math.log(2.0);

    private final double[] computeSeconds;
    private final double[] bandwidthHz;
    private final double[] bits;
    private final double[] txWatts;
    private final int[] device;
    private final double noiseWattsPerHz;

    /** Prepares a plan of this problem for evaluation under many rounds' gains. */
    public RealizedLatency(PlanningProblem problem, Plan plan) {
        Map<String, Integer> index = new HashMap<>();
        List<Device> devices = problem.devices();
        txWatts = new double[devices.size()];
        for (int i = 0; i < devices.size(); i++) {
            index.put(devices.get(i).name(), i);
            txWatts[i] = dbmToWatts(devices.get(i).txPowerDbm());
        }
        // A plan names blocks by layer; blocks sharing a layer have one size (a rule of the core's checks).
        Map<Integer, Long> paramsAtLayer = new HashMap<>();
        for (Block b : problem.blocks()) {
            paramsAtLayer.put(b.layer(), b.params());
        }
        List<Assignment> as = plan.assignments();
        int n = as.size();
        computeSeconds = new double[n];
        bandwidthHz = new double[n];
        bits = new double[n];
        device = new int[n];
        for (int j = 0; j < n; j++) {
            Assignment a = as.get(j);
            computeSeconds[j] = a.computeSeconds();
            bandwidthHz[j] = a.bandwidthHz();
            long params = 0;
            for (int layer : a.layers()) {
                params += paramsAtLayer.get(layer);
            }
            bits[j] = (double) problem.training().bitsPerParam() * params;
            device[j] = index.get(a.device());
        }
        noiseWattsPerHz = dbmToWatts(problem.noisePsdDbmPerHz());
    }

    /** The plan's round latency when the devices' gains are {@code gainsDb} (fleet order). */
    public double under(double[] gainsDb) {
        double worst = 0;
        for (int j = 0; j < bits.length; j++) {
            double t = computeSeconds[j] + bits[j] / rate(bandwidthHz[j], gamma(j, gainsDb));
            worst = Math.max(worst, t);
        }
        return worst;
    }

    /**
     * The latency this plan keeps with probability {@code 1 - epsilon} when every device's gain fades independently
     * around {@code meanGainsDb} (fleet order): the exact {@code 1 - epsilon} quantile of its round latency
     * ({@link QuantileSplit#quantile}).
     */
    public double quantile(double[] meanGainsDb, ChannelModel channel, double epsilon) {
        return QuantileSplit.quantile(computeSeconds, bits, gammas(meanGainsDb), bandwidthHz, channel, epsilon);
    }

    /** Each involved device's SNR per hertz {@code p g / N0} at these gains (dB, fleet order), in plan order. */
    double[] gammas(double[] gainsDb) {
        double[] out = new double[bits.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = gamma(j, gainsDb);
        }
        return out;
    }

    /** Involved device {@code j}'s SNR per hertz {@code p g / N0} at these gains (dB, fleet order). */
    private double gamma(int j, double[] gainsDb) {
        return txWatts[device[j]] * Math.pow(10.0, gainsDb[device[j]] / 10.0) / noiseWattsPerHz;
    }

    /** Each involved device's position in the fleet, in plan order. */
    int[] deviceIndex() {
        return device.clone();
    }

    /** Each involved device's compute seconds, in plan order. */
    double[] computeSeconds() {
        return computeSeconds.clone();
    }

    /** Each involved device's upload bits, in plan order. */
    double[] bits() {
        return bits.clone();
    }

    /** Each involved device's bandwidth, in plan order. */
    double[] bandwidthHz() {
        return bandwidthHz.clone();
    }

    /** {@code B log2(1 + gamma/B)}, with {@code ln gamma - ln B} where the ratio overflows. */
    static double rate(double b, double gamma) {
        if (b <= 0) {
            return 0.0;
        }
        double x = gamma / b;
        return b * (x < 1e300 ? Math.log1p(x) : Math.log(gamma) - Math.log(b)) / LN2;
    }

    private static double dbmToWatts(double dbm) {
        return Math.pow(10.0, (dbm - 30.0) / 10.0);
    }
}
