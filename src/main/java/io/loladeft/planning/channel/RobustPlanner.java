package io.loladeft.planning.channel;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Assignment;
import io.loladeft.planning.Plan;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.SolverStats;
import io.loladeft.planning.SolverTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans a round that finishes within its promised latency with probability {@code 1 - epsilon} when the gains fade
 * around their means and no fresh channel state exists: {@code robust} in the simulator, {@code objective: quantile}
 * on {@code POST /plans}. The promise is the plan's exact {@code 1 - epsilon} quantile under the channel model
 * ({@link QuantileSplit}), and the search makes it small:
 *
 * <ol>
 *   <li>Candidate assignments: the algorithm's plans on every device's mean gain shifted down by 0, 2, 4, ... dB, to
 *       the union-bound level (the per-device quantile {@code q = 1 - (1 - epsilon)^(1/n)}, {@code n = min(K, N)},
 *       at which planning on quantiles alone would already guarantee the promise). Lower gains make uploads dearer,
 *       so deeper shifts move blocks towards devices with strong channels and fast compute; shift 0 is
 *       {@code static}'s plan, so the result never promises more than static's own quantile.</li>
 *   <li>Each candidate's band is split to minimize its quantile ({@link QuantileSplit#optimal}; exact for Rayleigh),
 *       unless the algorithm fixes bandwidths beforehand ({@link Algorithm#splitsBandwidth()}).</li>
 *   <li>The candidate with the smallest exact quantile is the plan, with each device's upload priced at the gain it
 *       needs to finish by the promised latency: every involved device then finishes exactly at the promise, and
 *       those gains are per-device quantiles whose outage probabilities multiply to {@code 1 - epsilon}.</li>
 * </ol>
 *
 * A static channel has no fading: the plan is the algorithm's plan on the mean gains.
 */
public final class RobustPlanner {

    /** Steps between candidate gain shifts, in dB. */
    static final double SHIFT_STEP_DB = 2.0;

    private final Planner planner;

    public RobustPlanner(Planner planner) {
        this.planner = planner;
    }

    /**
     * A robust plan and the gains it is priced at.
     *
     * @param plan           the plan; its round latency is the exact {@code 1 - epsilon} quantile at the mean gains
     * @param plannedGainsDb each involved device's gain (dB) its upload is priced at: the level it must reach to
     *                       finish by the promise (for a static channel, its mean gain)
     * @param shiftDb        the uniform shift of the mean gains whose plan gave the assignment
     */
    public record RobustPlan(Plan plan, Map<String, Double> plannedGainsDb, double shiftDb) {

        public RobustPlan {
            plannedGainsDb = Map.copyOf(plannedGainsDb);
        }
    }

    /**
     * @param mean         the fleet at its mean gains
     * @param budgetMillis wall-clock budget of the whole search
     * @throws io.loladeft.planning.InvalidProblemException    the fleet is malformed
     * @throws io.loladeft.planning.InfeasibleProblemException no plan exists for the fleet
     * @throws SolverTimeoutException                          not even the mean-gain plan finished within the budget
     */
    public RobustPlan plan(
            PlanningProblem mean, Algorithm algorithm, ChannelModel channel, double epsilon, long budgetMillis) {
        long t0 = System.nanoTime();
        long end = t0 + Math.max(1, budgetMillis) * 1_000_000L;
        int k = mean.devices().size();
        double[] meanDb = new double[k];
        for (int i = 0; i < k; i++) {
            meanDb[i] = mean.devices().get(i).channelGainDb();
        }
        Plan first = planner.plan(mean, algorithm, budgetMillis);
        if (channel.kind() == ChannelModel.Kind.STATIC) {
            Map<String, Double> gains = new LinkedHashMap<>();
            int[] index = new RealizedLatency(mean, first).deviceIndex();
            for (int j = 0; j < index.length; j++) {
                gains.put(first.assignments().get(j).device(), meanDb[index[j]]);
            }
            return new RobustPlan(first, gains, 0.0);
        }
        OutageExponent h = OutageExponent.of(channel);
        double deepest = 10
                * Math.log10(channel.quantile(
                        RobustGains.perDeviceLevel(epsilon, k, mean.blocks().size())));
        List<Double> shifts = new ArrayList<>();
        for (double s = 0; s > deepest; s -= SHIFT_STEP_DB) {
            shifts.add(s);
        }
        shifts.add(deepest);

        Candidate best = null;
        int tried = 0;
        for (double shift : shifts) {
            Plan candidate;
            if (shift == 0) {
                candidate = first;
            } else {
                long left = (end - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break; // the budget is spent: keep the best so far (shift 0 at least)
                }
                double[] shifted = meanDb.clone();
                for (int i = 0; i < k; i++) {
                    shifted[i] += shift;
                }
                try {
                    candidate = planner.plan(RobustGains.withGains(mean, shifted), algorithm, left);
                } catch (SolverTimeoutException e) {
                    break;
                }
            }
            tried++;
            Candidate c = Candidate.of(mean, meanDb, candidate, shift, algorithm, channel, h, epsilon);
            if (best == null || c.latency < best.latency) {
                best = c;
            }
        }
        return best.toPlan(mean, meanDb, algorithm, h, tried, (System.nanoTime() - t0) / 1e6);
    }

    /** One assignment with its split and its exact quantile at the mean gains. */
    private record Candidate(
            Plan plan,
            double shiftDb,
            double[] bandwidthHz,
            double latency,
            double[] c,
            double[] bits,
            double[] gamma,
            int[] device) {

        static Candidate of(
                PlanningProblem mean,
                double[] meanDb,
                Plan plan,
                double shift,
                Algorithm algorithm,
                ChannelModel channel,
                OutageExponent h,
                double epsilon) {
            RealizedLatency r = new RealizedLatency(mean, plan);
            double[] c = r.computeSeconds();
            double[] bits = r.bits();
            double[] gamma = r.gammas(meanDb);
            int[] device = r.deviceIndex();
            double[] bw = r.bandwidthHz();
            double own = QuantileSplit.quantile(c, bits, gamma, bw, channel, epsilon);
            if (algorithm.splitsBandwidth()) {
                double[] split = QuantileSplit.optimal(c, bits, gamma, mean.bandwidthHz(), h, epsilon, own);
                double resplit = QuantileSplit.quantile(c, bits, gamma, split, channel, epsilon);
                if (resplit < own) {
                    return new Candidate(plan, shift, split, resplit, c, bits, gamma, device);
                }
            }
            return new Candidate(plan, shift, bw, own, c, bits, gamma, device);
        }

        /**
         * The candidate as a plan: its blocks, compute and bandwidths, each upload priced at the gain that finishes it
         * exactly at the promise; the device most likely to be late (largest outage exponent) is the bottleneck.
         */
        RobustPlan toPlan(
                PlanningProblem mean,
                double[] meanDb,
                Algorithm algorithm,
                OutageExponent h,
                int tried,
                double millis) {
            List<Assignment> as = plan.assignments();
            List<Assignment> out = new ArrayList<>(as.size());
            Map<String, Double> gains = new LinkedHashMap<>();
            String bottleneck = null;
            double worst = -1;
            for (int j = 0; j < as.size(); j++) {
                Assignment a = as.get(j);
                double z = QuantileSplit.needed(c[j], bits[j], gamma[j], bandwidthHz[j], latency);
                gains.put(a.device(), meanDb[device[j]] + 10 * Math.log10(z));
                double share = h.value(z);
                if (share > worst) {
                    worst = share;
                    bottleneck = a.device();
                }
                out.add(new Assignment(
                        a.device(),
                        a.layers(),
                        a.head(),
                        bandwidthHz[j],
                        c[j],
                        latency - c[j],
                        latency,
                        a.memoryBytes()));
            }
            Plan p = new Plan(
                    algorithm,
                    latency,
                    latency * mean.training().rounds(),
                    // No claim beyond the plan itself: the search over assignments is a heuristic.
                    latency,
                    out,
                    plan.idleDevices(),
                    bottleneck,
                    new SolverStats(tried, millis, 0.0));
            return new RobustPlan(p, gains, shiftDb);
        }
    }
}
