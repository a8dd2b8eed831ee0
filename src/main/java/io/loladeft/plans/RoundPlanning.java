package io.loladeft.plans;

import io.loladeft.common.Limits;
import io.loladeft.common.MeasuredProfile;
import io.loladeft.planning.Assignment;
import io.loladeft.planning.InfeasibleProblemException;
import io.loladeft.planning.InvalidProblemException;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.SolverTimeoutException;
import io.loladeft.planning.Violation;
import io.loladeft.planning.channel.ChannelModel;
import io.loladeft.planning.channel.GainDraws;
import io.loladeft.planning.channel.Replanner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * The planning a running job needs round by round: the channel gains of a round (the simulator's seeded draws), a
 * re-plan over the fleet as it stands ({@link Replanner}: the exact optimum for the round's gains, migration priced
 * in), and the uplink rate its emulation uses. The jobs module reaches the planning core only through here.
 */
@Service
public class RoundPlanning {

    private final Replanner replanner;
    private final Limits limits;
    /** A job's draws, kept between rounds: asking round after round then costs one draw per round, not a replay. */
    private final Map<DrawKey, GainDraws> draws = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<DrawKey, GainDraws> eldest) {
            return size() > 64;
        }
    };

    RoundPlanning(Planner planner, Limits limits) {
        this.replanner = new Replanner(planner);
        this.limits = limits;
    }

    private record DrawKey(List<Double> meanDb, String model, int coherence, double k, long seed) {}

    /** One involved device in a planned round. {@code migrationSeconds} is part of {@code uploadSeconds}. */
    public record Slot(
            String device,
            List<Integer> layers,
            double bandwidthHz,
            double computeSeconds,
            double uploadSeconds,
            double migrationSeconds,
            double migrationBits,
            double latencySeconds) {}

    /**
     * A re-planned round: its devices, its predicted latency, whether blocks moved, what keeping them would have
     * taken (null when a device that held blocks is gone) and the round's optimum without migration.
     */
    public record RoundPlan(
            List<Slot> slots, double roundLatencySeconds, boolean moved, Double keptSeconds, double optimumSeconds) {}

    /** What jobs measured of a device, used instead of what its plan says: its effective speed and profile. */
    public record Measured(Double effectiveFlops, MeasuredProfile profile) {}

    /** No plan exists for the fleet that is left (too few devices, or none that can hold a block). */
    public static class FleetTooSmallException extends RuntimeException {
        public FleetTooSmallException(String message) {
            super(message);
        }
    }

    /**
     * A job's channel with its defaults filled: none given is {@code static} (the gains as planned, every round);
     * a channel without a model is {@code rayleigh}, as in a simulation. 400 for an unknown model.
     */
    public static PlanRequest.ChannelRequest channel(PlanRequest.ChannelRequest c) {
        if (c == null) {
            return new PlanRequest.ChannelRequest(ChannelModel.Kind.STATIC.wireName(), 1, 0.0);
        }
        return new PlanRequest.ChannelRequest(
                ProblemBuilder.channelKind(c.model(), "channel.model").wireName(),
                c.coherenceRounds() == null ? 1 : c.coherenceRounds(),
                c.kFactor() == null ? 0.0 : c.kFactor());
    }

    /**
     * Each device's gain (dB) in round {@code round} (1-based), by device name: the draws of
     * {@code POST /plans/simulate} with the same channel and seed around the plan's mean gains (its request's
     * devices, in their order), so a job meets the channel a simulation of its plan shows.
     */
    public Map<String, Double> gainsDb(PlanRequest plan, PlanRequest.ChannelRequest channel, long seed, int round) {
        List<PlanRequest.InlineDevice> devices = plan.devices();
        double[] mean = devices.stream()
                .mapToDouble(PlanRequest.InlineDevice::channelGainDb)
                .toArray();
        double[] g;
        DrawKey key = new DrawKey(
                devices.stream().map(PlanRequest.InlineDevice::channelGainDb).toList(),
                channel.model(),
                channel.coherenceRounds(),
                channel.kFactor(),
                seed);
        synchronized (draws) {
            GainDraws d =
                    draws.computeIfAbsent(key, k -> new GainDraws(ProblemBuilder.channelModel(channel), mean, seed));
            g = d.at(round - 1);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < devices.size(); i++) {
            out.put(devices.get(i).name(), g[i]);
        }
        return out;
    }

    /**
     * Re-plans a round of a job that runs {@code plan} (a stored plan's resolved request): over its devices except
     * {@code gone}, at {@code gainsDb}, with what was measured of them, from {@code current} (each device's layers
     * in the previous round) moving blocks only when the round's optimum beats keeping them even with the
     * migration of {@code migrationBitsPerParam} bits per parameter priced in.
     *
     * @throws FleetTooSmallException the devices left cannot hold the model
     */
    public RoundPlan replan(
            PlanRequest plan,
            Set<String> gone,
            Map<String, Double> gainsDb,
            Map<String, Measured> measured,
            Map<String, List<Integer>> current,
            double migrationBitsPerParam) {
        List<PlanRequest.InlineDevice> fleet = new ArrayList<>();
        for (PlanRequest.InlineDevice d : plan.devices()) {
            if (gone.contains(d.name())) {
                continue;
            }
            Measured m = measured.get(d.name());
            fleet.add(new PlanRequest.InlineDevice(
                    d.name(),
                    d.computeFlops(),
                    d.memoryBytes(),
                    d.txPowerDbm(),
                    gainsDb.getOrDefault(d.name(), d.channelGainDb()),
                    m != null && m.profile() != null ? m.profile() : d.profile(),
                    d.bandwidthHz(),
                    m != null && m.effectiveFlops() != null ? m.effectiveFlops() : d.effectiveFlops()));
        }
        if (fleet.isEmpty()) {
            throw new FleetTooSmallException("no device of the plan is left (gone: " + String.join(", ", gone) + ")");
        }
        // The round's gains are known: plan on them (a quantile objective is for when they are not).
        PlanRequest round = new PlanRequest(
                plan.algorithm(),
                plan.bandwidthHz(),
                plan.noisePsdDbmPerHz(),
                fleet,
                null,
                null,
                plan.model(),
                plan.blocks(),
                plan.training(),
                plan.maxBlocksPerDevice(),
                plan.seed(),
                PlanRequest.MEAN,
                null,
                null);
        PlanningProblem problem = ProblemBuilder.toProblem(round);
        Replanner.Replan r;
        try {
            r = replanner.replan(problem, current, migrationBitsPerParam, limits.planTimeBudgetMillis());
        } catch (InfeasibleProblemException | InvalidProblemException e) {
            List<Violation> v = e instanceof InfeasibleProblemException i
                    ? i.violations()
                    : ((InvalidProblemException) e).violations();
            throw new FleetTooSmallException("the " + fleet.size() + " devices left ("
                    + fleet.stream().map(PlanRequest.InlineDevice::name).collect(Collectors.joining(", "))
                    + ") cannot hold the model: "
                    + v.stream().map(x -> x.subject() + " " + x.message()).collect(Collectors.joining("; ")));
        } catch (SolverTimeoutException e) {
            throw new FleetTooSmallException(e.getMessage());
        }
        List<Slot> slots = new ArrayList<>();
        for (Assignment a : r.plan().assignments()) {
            slots.add(new Slot(
                    a.device(),
                    a.layers(),
                    a.bandwidthHz(),
                    a.computeSeconds(),
                    a.uploadSeconds(),
                    Objects.requireNonNullElse(r.migrationSeconds().get(a.device()), 0.0),
                    Objects.requireNonNullElse(r.migrationBits().get(a.device()), 0.0),
                    a.latencySeconds()));
        }
        return new RoundPlan(
                slots,
                r.plan().roundLatencySeconds(),
                r.moved(),
                Double.isNaN(r.keptSeconds()) ? null : r.keptSeconds(),
                r.optimumSeconds());
    }

    /** Seconds to upload {@code bytes} at {@code bandwidthHz}: the planner's Shannon rate at the given gain. */
    public static double uploadSeconds(
            long bytes, double bandwidthHz, double txPowerDbm, double channelGainDb, double noisePsdDbmPerHz) {
        return Planner.uploadSeconds(bytes * 8.0, bandwidthHz, txPowerDbm, channelGainDb, noisePsdDbmPerHz);
    }
}
