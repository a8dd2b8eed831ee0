package io.loladeft.jobs;

import io.loladeft.plans.PlanRequest;
import io.loladeft.plans.PlanService;
import io.loladeft.plans.RoundPlanning;
import io.loladeft.registry.DeviceMeasured;
import io.loladeft.registry.DeviceRegistry;
import io.loladeft.registry.DeviceView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Decides what each round of a job runs ({@link RoundSchedule}): the round's channel gains, and whether to keep the
 * blocks where they are or re-plan ({@code replan}: {@code static} re-plans only when devices leave,
 * {@code every-round} every round for its gains, {@code on-drift} after a round that drifted from its prediction);
 * a re-plan runs over the plan's devices that are still registered and schedulable, with the speeds measured so far,
 * and moves blocks only when that pays within the round ({@link RoundPlanning}). Also feeds each merged round's
 * measured speeds back to the registry, as {@link DeviceMeasured} events.
 */
@Component
class Replanning {

    /** The condition reason of a job whose remaining devices cannot hold the model. */
    static final String FLEET_TOO_SMALL = "FleetTooSmall";

    private final PlanService plans;
    private final RoundPlanning rounds;
    private final DeviceRegistry registry;
    private final ApplicationEventPublisher events;

    Replanning(PlanService plans, RoundPlanning rounds, DeviceRegistry registry, ApplicationEventPublisher events) {
        this.plans = plans;
        this.rounds = rounds;
        this.registry = registry;
        this.events = events;
    }

    /**
     * The schedule of round {@code round}, after a round that ran {@code previous} (null: the plan, or nothing yet)
     * and {@code drifted} or not; null when the job runs its plan unchanged (no fading, no policy, no registered
     * devices), as jobs always did.
     *
     * @throws JobFailure the devices left cannot hold the model
     */
    RoundSchedule schedule(UUID planId, JobSettings spec, int round, RoundSchedule previous, boolean drifted) {
        if (!spec.schedulesRounds()) {
            return null;
        }
        PlanService.StoredPlan stored = plans.findStored(planId)
                .orElseThrow(() -> new JobFailure("PlanGone", "the job's plan " + planId + " is no longer stored"));
        PlanRequest plan = stored.request();
        Map<String, PlanRequest.InlineDevice> byName = new LinkedHashMap<>();
        plan.devices().forEach(d -> byName.put(d.name(), d));
        Map<String, Double> mean = new HashMap<>();
        byName.values().forEach(d -> mean.put(d.name(), d.channelGainDb()));
        Map<String, Double> gains =
                spec.channel() == null || "static".equals(spec.channel().model())
                        ? mean
                        : rounds.gainsDb(plan, spec.channel(), spec.seed(), round);

        Map<String, DeviceView> present = new HashMap<>();
        List<String> registered = spec.registered() == null ? List.of() : spec.registered();
        registry.findByNames(registered).forEach(d -> present.put(d.name(), d));
        List<String> gone = new ArrayList<>(new TreeSet<>(registered.stream()
                .filter(n -> !present.containsKey(n) || present.get(n).unschedulable())
                .toList()));

        List<JobSettings.DeviceRun> before = previous != null ? previous.devices() : spec.devices();
        boolean involvedLeft = before.stream().anyMatch(d -> gone.contains(d.name()));
        boolean replan = involvedLeft
                || switch (spec.replan()) {
                    case STATIC -> false;
                    case EVERY_ROUND -> true;
                    case ON_DRIFT -> drifted;
                };
        if (!replan) {
            List<JobSettings.DeviceRun> kept = before.stream()
                    .map(d -> new JobSettings.DeviceRun(
                            d.name(),
                            d.layers(),
                            d.bandwidthHz(),
                            d.computeFlops(),
                            d.txPowerDbm(),
                            gains.get(d.name()),
                            d.predictedLatencySeconds(),
                            d.iterationFlops(),
                            0))
                    .toList();
            return new RoundSchedule(
                    kept,
                    previous != null ? previous.predictedRoundLatencySeconds() : spec.predictedRoundLatencySeconds(),
                    false,
                    false,
                    gone);
        }
        Map<String, RoundPlanning.Measured> measured = new HashMap<>();
        present.forEach((name, d) -> measured.put(
                name,
                new RoundPlanning.Measured(
                        d.calibration() == null ? null : d.calibration().effectiveFlops(), d.profile())));
        // Before the first round every block starts from the server's state: nothing migrates.
        Map<String, List<Integer>> current = new HashMap<>();
        if (round > 1) {
            before.forEach(d -> current.put(d.name(), d.layers()));
        }
        // static plans on the mean gains (as its plan did); the others on the round's, known at its start.
        Map<String, Double> planningGains = spec.replan() == JobSettings.Replan.STATIC ? mean : gains;
        RoundPlanning.RoundPlan rp;
        try {
            rp = rounds.replan(
                    plan, new HashSet<>(gone), planningGains, measured, current, spec.migrationBitsPerParam());
        } catch (RoundPlanning.FleetTooSmallException e) {
            throw new JobFailure(
                    FLEET_TOO_SMALL,
                    "round " + round + " cannot be planned: " + e.getMessage()
                            + (gone.isEmpty() ? "" : " (left: " + String.join(", ", gone) + ")"));
        }
        List<JobSettings.DeviceRun> devices = new ArrayList<>();
        for (RoundPlanning.Slot s : rp.slots()) {
            PlanRequest.InlineDevice d = byName.get(s.device());
            devices.add(new JobSettings.DeviceRun(
                    d.name(),
                    s.layers(),
                    s.bandwidthHz(),
                    d.computeFlops(),
                    d.txPowerDbm(),
                    gains.get(d.name()),
                    s.latencySeconds(),
                    stored.iterationFlops(spec.batchSize(), spec.seqLen(), s.layers()),
                    Math.round(s.migrationBits() / 8)));
        }
        return new RoundSchedule(devices, rp.roundLatencySeconds(), true, rp.moved(), gone);
    }

    /**
     * Publishes what a merged round measured of each registered device: its effective speed (the cost model's FLOPs
     * of its blocks over its emulated compute seconds) and, when the job runs the plan's batch and sequence length
     * (what a device's profile is measured at), its seconds per local iteration at its deepest depth.
     */
    void measured(UUID planId, JobSettings roundSpec, List<JobView.DeviceRound> devices) {
        if (roundSpec.registered() == null || roundSpec.registered().isEmpty()) {
            return;
        }
        PlanRequest.TrainingRequest t =
                plans.findStored(planId).map(s -> s.request().training()).orElse(null);
        boolean profileSettings = t != null
                && t.batchSize() != null
                && t.batchSize() == roundSpec.batchSize()
                && t.seqLen() != null
                && t.seqLen() == roundSpec.seqLen();
        Set<String> registered = new HashSet<>(roundSpec.registered());
        for (JobView.DeviceRound d : devices) {
            if (!registered.contains(d.device()) || !(d.emulatedComputeSeconds() > 0)) {
                continue;
            }
            JobSettings.DeviceRun run = roundSpec.device(d.device());
            // The deepest encoder layer it trains; 0 when it trains the head's block (L+1) alone, which no per-depth
            // profile entry describes.
            int depth = Math.max(
                    0,
                    roundSpec.model().layers()
                            - run.layers().stream()
                                    .mapToInt(Integer::intValue)
                                    .min()
                                    .orElse(roundSpec.model().layers() + 1)
                            + 1);
            events.publishEvent(new DeviceMeasured(
                    d.device(),
                    run.iterationFlops() * roundSpec.localIterations() / d.emulatedComputeSeconds(),
                    profileSettings && depth > 0 ? depth : null,
                    d.emulatedComputeSeconds() / roundSpec.localIterations()));
        }
    }
}
