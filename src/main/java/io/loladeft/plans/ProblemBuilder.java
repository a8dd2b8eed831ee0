package io.loladeft.plans;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.Limits;
import io.loladeft.common.MeasuredProfile;
import io.loladeft.common.PathRoots;
import io.loladeft.common.Problems;
import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Block;
import io.loladeft.planning.BlockSpec;
import io.loladeft.planning.Device;
import io.loladeft.planning.DeviceProfile;
import io.loladeft.planning.ModelSpec;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.RobertaShape;
import io.loladeft.planning.Training;
import io.loladeft.planning.channel.ChannelModel;
import io.loladeft.registry.Architecture;
import io.loladeft.registry.BlockConfig;
import io.loladeft.registry.ChannelReport;
import io.loladeft.registry.DeviceRegistry;
import io.loladeft.registry.DeviceView;
import io.loladeft.registry.LabelSelector;
import io.loladeft.registry.ModelRegistry;
import io.loladeft.registry.ModelRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Turns a plan request into the planning core's input: resolves registered devices and models,
 * fills in defaults, and scales a model's measured profile to each device. The result is also
 * given back as a fully resolved request (devices and model inline) so a stored plan stands on
 * its own when the registry later changes.
 */
@Component
class ProblemBuilder {

    /** Trainable parameters, their gradients and Adam moments are kept in fp32 whatever the backbone's precision. */
    static final int BYTES_PER_TRAINABLE = 4;

    private final DeviceRegistry devices;
    private final ModelRegistry models;
    private final Limits limits;
    private final PathRoots paths;
    private final PlanningProperties planning;

    ProblemBuilder(
            DeviceRegistry devices, ModelRegistry models, Limits limits, PathRoots paths, PlanningProperties planning) {
        this.devices = devices;
        this.models = models;
        this.limits = limits;
        this.paths = paths;
        this.planning = planning;
    }

    /** The default outage probability of {@code objective: quantile}. */
    static final double DEFAULT_OUTAGE_PROBABILITY = 0.1;

    record Resolved(PlanRequest request, PlanningProblem problem) {}

    static Algorithm algorithm(String wireName) {
        if (wireName == null) {
            return Algorithm.JOINT;
        }
        try {
            return Algorithm.fromWireName(wireName);
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest("unknown algorithm", List.of(new FieldViolation("algorithm", e.getMessage())));
        }
    }

    Resolved resolve(PlanRequest given) {
        return resolve(given, true);
    }

    /**
     * As {@link #resolve(PlanRequest)}; {@code channelReports} says whether a registered device's fresh reported
     * gain replaces its mean gain (a plan for now: yes; a fading simulation around the means: no).
     */
    Resolved resolve(PlanRequest given, boolean channelReports) {
        PlanRequest request = withoutEmptyLists(given);
        List<PlanRequest.InlineDevice> fleet = fleet(request, channelReports);
        Limits.require(fleet.size() <= limits.maxDevices(), "devices", "max-devices", limits.maxDevices());
        ModelRequest model = model(request.model());
        Limits.require(
                model.architecture().layers() <= limits.maxBlocks(),
                "model.architecture.layers",
                "max-blocks",
                limits.maxBlocks());
        Limits.require(
                request.blocks() == null || request.blocks().size() <= limits.maxBlocks(),
                "blocks",
                "max-blocks",
                limits.maxBlocks());
        PlanRequest.TrainingRequest t = training(request.training());
        PlanRequest resolved = new PlanRequest(
                request.algorithm(),
                request.bandwidthHz(),
                request.noisePsdDbmPerHz() == null
                        ? PlanningProblem.DEFAULT_NOISE_PSD_DBM_PER_HZ
                        : request.noisePsdDbmPerHz(),
                fleet,
                null,
                null,
                model,
                request.blocks(),
                t,
                request.maxBlocksPerDevice() == null ? 1 : request.maxBlocksPerDevice(),
                request.seed() == null ? 0L : request.seed(),
                objective(request),
                null,
                null);
        if (PlanRequest.QUANTILE.equals(resolved.objective())) {
            PlanRequest.ChannelRequest c =
                    request.channel() == null ? new PlanRequest.ChannelRequest(null, null, null) : request.channel();
            ChannelModel.Kind kind = channelKind(c.model(), "channel.model");
            resolved = withObjective(
                    resolved,
                    PlanRequest.QUANTILE,
                    request.outageProbability() == null ? DEFAULT_OUTAGE_PROBABILITY : request.outageProbability(),
                    new PlanRequest.ChannelRequest(
                            kind.wireName(),
                            c.coherenceRounds() == null ? 1 : c.coherenceRounds(),
                            c.kFactor() == null ? 0.0 : c.kFactor()));
        }
        return new Resolved(resolved, toProblem(resolved));
    }

    /** {@code mean} unless {@code quantile} is asked for; the quantile's settings only with it (a typo is an error). */
    private static String objective(PlanRequest r) {
        String o = r.objective() == null ? PlanRequest.MEAN : r.objective();
        if (!o.equals(PlanRequest.MEAN) && !o.equals(PlanRequest.QUANTILE)) {
            throw Problems.badRequest(
                    "unknown objective",
                    List.of(new FieldViolation(
                            "objective", "unknown objective '" + o + "'; valid values: mean, quantile")));
        }
        if (o.equals(PlanRequest.MEAN) && (r.outageProbability() != null || r.channel() != null)) {
            throw Problems.badRequest(
                    "outageProbability and channel apply to objective quantile only",
                    List.of(new FieldViolation(
                            r.outageProbability() != null ? "outageProbability" : "channel",
                            "applies to objective quantile only")));
        }
        return o;
    }

    /** The fading kind named on the wire (default rayleigh); 400 naming {@code field} for an unknown one. */
    static ChannelModel.Kind channelKind(String wireName, String field) {
        if (wireName == null) {
            return ChannelModel.Kind.RAYLEIGH;
        }
        try {
            return ChannelModel.Kind.fromWireName(wireName);
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest("unknown channel model", List.of(new FieldViolation(field, e.getMessage())));
        }
    }

    /** The core's channel model for a resolved channel request. */
    static ChannelModel channelModel(PlanRequest.ChannelRequest c) {
        return new ChannelModel(ChannelModel.Kind.fromWireName(c.model()), c.coherenceRounds(), c.kFactor());
    }

    private static PlanRequest withObjective(
            PlanRequest r, String objective, Double outage, PlanRequest.ChannelRequest channel) {
        return new PlanRequest(
                r.algorithm(),
                r.bandwidthHz(),
                r.noisePsdDbmPerHz(),
                r.devices(),
                r.deviceNames(),
                r.labelSelector(),
                r.model(),
                r.blocks(),
                r.training(),
                r.maxBlocksPerDevice(),
                r.seed(),
                objective,
                outage,
                channel);
    }

    /** The core's problem for an already resolved request (devices and model inline, defaults filled). */
    static PlanningProblem toProblem(PlanRequest r) {
        ModelSpec spec = modelSpec(r.model());
        List<Block> blocks = r.blocks() == null
                ? PlanningProblem.oneBlockPerLayer(spec)
                : r.blocks().stream().map(b -> new Block(b.layer(), b.params())).toList();
        MeasuredProfile modelProfile = r.model().profile();
        List<Device> fleet =
                r.devices().stream().map(d -> device(d, modelProfile)).toList();
        PlanRequest.TrainingRequest t = r.training();
        return new PlanningProblem(
                fleet,
                spec,
                blocks,
                new Training(t.batchSize(), t.seqLen(), t.localIterations(), t.rounds(), t.bitsPerParam()),
                r.bandwidthHz(),
                r.noisePsdDbmPerHz(),
                r.maxBlocksPerDevice(),
                r.seed());
    }

    /**
     * An empty {@code devices}, {@code deviceNames} or {@code blocks} means the same as leaving it
     * out: clients generated from the spec send {@code []} for every list they were not given.
     */
    static PlanRequest withoutEmptyLists(PlanRequest r) {
        return new PlanRequest(
                r.algorithm(),
                r.bandwidthHz(),
                r.noisePsdDbmPerHz(),
                emptyAsNull(r.devices()),
                emptyAsNull(r.deviceNames()),
                r.labelSelector(),
                r.model(),
                emptyAsNull(r.blocks()),
                r.training(),
                r.maxBlocksPerDevice(),
                r.seed(),
                r.objective(),
                r.outageProbability(),
                r.channel());
    }

    private static <T> List<T> emptyAsNull(List<T> list) {
        return list == null || list.isEmpty() ? null : list;
    }

    private List<PlanRequest.InlineDevice> fleet(PlanRequest r, boolean channelReports) {
        int sources =
                (r.devices() != null ? 1 : 0) + (r.deviceNames() != null ? 1 : 0) + (r.labelSelector() != null ? 1 : 0);
        if (sources != 1) {
            throw Problems.badRequest(
                    "say which devices to plan for",
                    List.of(new FieldViolation(
                            "devices", "give exactly one of devices, deviceNames or labelSelector")));
        }
        if (r.devices() != null) {
            return r.devices();
        }
        List<DeviceView> found;
        if (r.labelSelector() != null) {
            // An unschedulable device is out of service: a selector simply does not pick it.
            found = devices.select(LabelSelector.parse(r.labelSelector())).stream()
                    .filter(d -> !d.unschedulable())
                    .toList();
            if (found.isEmpty()) {
                throw Problems.unprocessable(
                        "no registered device matches the selector",
                        List.of(new FieldViolation("labelSelector", "matches no device")));
            }
        } else {
            Map<String, DeviceView> known = new HashMap<>();
            devices.findByNames(r.deviceNames()).forEach(d -> known.put(d.name(), d));
            List<FieldViolation> missing = new ArrayList<>();
            for (int i = 0; i < r.deviceNames().size(); i++) {
                DeviceView d = known.get(r.deviceNames().get(i));
                if (d == null) {
                    missing.add(new FieldViolation(
                            "deviceNames[" + i + "]",
                            "no registered device '" + r.deviceNames().get(i) + "'"));
                } else if (d.unschedulable()) {
                    missing.add(
                            new FieldViolation("deviceNames[" + i + "]", "device '" + d.name() + "' is unschedulable"));
                }
            }
            if (!missing.isEmpty()) {
                throw Problems.unprocessable(
                        "the request names devices that are not registered or not schedulable", missing);
            }
            found = r.deviceNames().stream().map(known::get).toList();
        }
        Instant freshAfter = Instant.now().minus(planning.channelReportMaxAge());
        return found.stream()
                .map(d -> new PlanRequest.InlineDevice(
                        d.name(),
                        d.computeFlops(),
                        d.memoryBytes(),
                        d.txPowerDbm(),
                        channelReports ? gainDb(d, freshAfter) : d.channelGainDb(),
                        d.profile(),
                        null,
                        d.calibration() == null ? null : d.calibration().effectiveFlops()))
                .toList();
    }

    /**
     * The device's reported gain if it was measured after {@code freshAfter}, else its mean gain. The resolved
     * request stores the gain used, so the stored plan says what it was planned on.
     */
    private static double gainDb(DeviceView d, Instant freshAfter) {
        ChannelReport report = d.channel();
        return report != null && report.measuredAt().isAfter(freshAfter) ? report.gainDb() : d.channelGainDb();
    }

    private ModelRequest model(ModelRequest model) {
        if (model.architecture() == null && model.name() != null) {
            return models.findByName(model.name())
                    .map(m -> m.body().withDefaults())
                    .orElseThrow(() -> Problems.unprocessable(
                            "the request names a model that is not registered",
                            List.of(new FieldViolation("model.name", "no registered model '" + model.name() + "'"))));
        }
        List<FieldViolation> errors = model.crossFieldViolations("model.");
        if (!errors.isEmpty()) {
            throw Problems.badRequest("the model is inconsistent", errors);
        }
        paths.resolve("model.weightsDir", model.weightsDir());
        paths.resolve("model.tokenizerDir", model.tokenizerDir());
        return model.withDefaults();
    }

    private static PlanRequest.TrainingRequest training(PlanRequest.TrainingRequest t) {
        Training d = Training.defaults();
        if (t == null) {
            return new PlanRequest.TrainingRequest(
                    d.batchSize(), d.seqLen(), d.localIterations(), d.rounds(), d.bitsPerParam());
        }
        return new PlanRequest.TrainingRequest(
                t.batchSize() == null ? d.batchSize() : t.batchSize(),
                t.seqLen() == null ? d.seqLen() : t.seqLen(),
                t.localIterations() == null ? d.localIterations() : t.localIterations(),
                t.rounds() == null ? d.rounds() : t.rounds(),
                t.bitsPerParam() == null ? d.bitsPerParam() : t.bitsPerParam());
    }

    static ModelSpec modelSpec(ModelRequest m) {
        Architecture a = m.architecture();
        BlockConfig b = m.block();
        BlockSpec block = switch (b.kind()) {
            case LORA -> BlockSpec.lora(b.rank(), b.alpha());
            case ADAPTER -> BlockSpec.adapter(b.bottleneck());
            case LAYER -> BlockSpec.layer();
        };
        return new ModelSpec(
                new RobertaShape(a.layers(), a.hidden(), a.heads(), a.intermediate(), a.vocab(), a.maxPositions()),
                block,
                m.precision().bytes(),
                BYTES_PER_TRAINABLE);
    }

    /**
     * A device's own profile wins; else the model's, with its seconds scaled by
     * {@code hostFlops / computeFlops} (the profile was measured on a host of {@code hostFlops});
     * else the analytic cost model.
     */
    private static Device device(PlanRequest.InlineDevice d, MeasuredProfile modelProfile) {
        MeasuredProfile p = d.profile() != null ? d.profile() : modelProfile;
        DeviceProfile profile = null;
        if (p != null && p.computeSeconds() != null && p.memoryBytes() != null) {
            double scale = d.profile() == null && p.hostFlops() != null ? p.hostFlops() / d.planningFlops() : 1.0;
            profile = new DeviceProfile(
                    p.computeSeconds().stream()
                            .mapToDouble(s -> nullToNaN(s) * scale)
                            .toArray(),
                    p.memoryBytes().stream()
                            .mapToDouble(ProblemBuilder::nullToNaN)
                            .toArray());
        }
        return new Device(
                d.name(),
                d.planningFlops(),
                d.memoryBytes(),
                d.txPowerDbm(),
                d.channelGainDb(),
                profile,
                d.bandwidthHz());
    }

    /** A null entry becomes NaN, which the core's checks reject naming the entry. */
    private static double nullToNaN(Double v) {
        return v == null ? Double.NaN : v;
    }
}
