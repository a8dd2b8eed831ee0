package io.loladeft.planning.channel;

import io.loladeft.planning.Device;
import io.loladeft.planning.PlanningProblem;
import java.util.List;

/**
 * Gains to plan on so the round finishes in time with probability at least {@code 1 - epsilon}.
 *
 * <p>Why this works with the ordinary (exact) solvers: a device's latency falls as its gain rises, so a plan made
 * for gains {@code g_k^q} finishes within its planned latency {@code T} whenever every involved device's gain is at
 * least {@code g_k^q}. With independent fading and at most {@code n = min(K, N)} involved devices, taking each
 * {@code g_k^q} as the {@code q}-quantile of device {@code k}'s gain with {@code q = 1 - (1 - epsilon)^(1/n)} gives
 * {@code P(round <= T) >= (1 - q)^n = 1 - epsilon}. The quantile scales the mean by a factor that depends only on
 * the fading distribution, so robust planning is planning on shifted mean gains: any algorithm, unchanged.
 */
public final class RobustGains {

    private RobustGains() {}

    /** The per-device quantile level {@code q = 1 - (1 - epsilon)^(1/n)}, {@code n = min(K, N)}. */
    public static double perDeviceLevel(double epsilon, int devices, int blocks) {
        int n = Math.max(1, Math.min(devices, blocks));
        return -Math.expm1(Math.log1p(-epsilon) / n);
    }

    /** Each device's gain (dB) at the per-device quantile of the channel model around its mean. */
    public static double[] gainsDb(PlanningProblem problem, ChannelModel channel, double epsilon) {
        double q = perDeviceLevel(
                epsilon, problem.devices().size(), problem.blocks().size());
        double shiftDb = 10 * Math.log10(channel.quantile(q));
        double[] out = new double[problem.devices().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = problem.devices().get(i).channelGainDb() + shiftDb;
        }
        return out;
    }

    /** The problem with each device's gain at its quantile: what {@code robust} and {@code objective: quantile} plan. */
    public static PlanningProblem atQuantile(PlanningProblem problem, ChannelModel channel, double epsilon) {
        return withGains(problem, gainsDb(problem, channel, epsilon));
    }

    /** The problem with these gains (dB), in fleet order. */
    public static PlanningProblem withGains(PlanningProblem problem, double[] gainsDb) {
        List<Device> devices = problem.devices();
        Device[] out = new Device[devices.size()];
        for (int i = 0; i < out.length; i++) {
            Device d = devices.get(i);
            out[i] = new Device(
                    d.name(),
                    d.computeFlops(),
                    d.memoryBytes(),
                    d.txPowerDbm(),
                    gainsDb[i],
                    d.profile(),
                    d.bandwidthHz());
        }
        return problem.withDevices(List.of(out));
    }
}
