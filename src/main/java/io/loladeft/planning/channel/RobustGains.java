package io.loladeft.planning.channel;

import io.loladeft.planning.Device;
import io.loladeft.planning.PlanningProblem;
import java.util.List;

/**
 * Problems at other gains, and the union-bound level of per-device gain quantiles.
 *
 * <p>A device's latency falls as its gain rises, so a plan made for gains {@code g_k^q} finishes within its planned
 * latency {@code T} whenever every involved device's gain is at least {@code g_k^q}. With independent fading and at
 * most {@code n = min(K, N)} involved devices, taking each {@code g_k^q} as the {@code q}-quantile of device
 * {@code k}'s gain with {@code q = 1 - (1 - epsilon)^(1/n)} gives {@code P(round <= T) >= (1 - q)^n = 1 - epsilon}.
 * That bound is loose (at 25 devices and {@code epsilon = 0.1}, Rayleigh, it plans every device 23.6 dB below its
 * mean); {@link RobustPlanner} uses its level only as the deepest of the shifts it tries.
 */
public final class RobustGains {

    private RobustGains() {}

    /** The per-device quantile level {@code q = 1 - (1 - epsilon)^(1/n)}, {@code n = min(K, N)}. */
    public static double perDeviceLevel(double epsilon, int devices, int blocks) {
        int n = Math.max(1, Math.min(devices, blocks));
        return -Math.expm1(Math.log1p(-epsilon) / n);
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
