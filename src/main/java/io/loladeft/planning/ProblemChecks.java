package io.loladeft.planning;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** User-facing validation of a {@link PlanningProblem}: every fault found, named by the field at fault. */
final class ProblemChecks {

    private ProblemChecks() {}

    static void validate(PlanningProblem p, Algorithm algorithm) {
        List<Violation> v = new ArrayList<>();
        if (p == null) {
            throw new InvalidProblemException(List.of(new Violation("problem", "is required")));
        }
        int layers = -1;
        ModelSpec model = p.model();
        if (model == null) {
            v.add(new Violation("model", "is required"));
        } else {
            RobertaShape s = model.shape();
            if (s == null) {
                v.add(new Violation("model.shape", "is required"));
            } else {
                positive(v, "model.shape.layers", s.layers());
                positive(v, "model.shape.hidden", s.hidden());
                positive(v, "model.shape.heads", s.heads());
                positive(v, "model.shape.intermediate", s.intermediate());
                positive(v, "model.shape.vocab", s.vocab());
                positive(v, "model.shape.maxPositions", s.maxPositions());
                if (s.layers() > 0) {
                    layers = s.layers();
                }
            }
            BlockSpec b = model.block();
            if (b == null || b.kind() == null || b.kind() == BlockKind.HEAD) {
                v.add(new Violation("model.block.kind", "is required (LORA, ADAPTER or LAYER)"));
            } else {
                if (b.kind() == BlockKind.LORA) {
                    positive(v, "model.block.rank", b.rank());
                }
                if (b.kind() == BlockKind.ADAPTER) {
                    positive(v, "model.block.bottleneck", b.bottleneck());
                }
                if (!Double.isFinite(b.alpha())) {
                    v.add(new Violation("model.block.alpha", "must be a finite number, got " + b.alpha()));
                }
            }
            positive(v, "model.bytesPerWeight", model.bytesPerWeight());
            positive(v, "model.bytesPerTrainable", model.bytesPerTrainable());
        }
        Training t = p.training();
        if (t == null) {
            v.add(new Violation("training", "is required"));
        } else {
            positive(v, "training.batchSize", t.batchSize());
            positive(v, "training.seqLen", t.seqLen());
            positive(v, "training.localIterations", t.localIterations());
            positive(v, "training.rounds", t.rounds());
            positive(v, "training.bitsPerParam", t.bitsPerParam());
        }
        positiveFinite(v, "bandwidthHz", p.bandwidthHz());
        if (!Double.isFinite(p.noisePsdDbmPerHz())) {
            v.add(new Violation("noisePsdDbmPerHz", "must be a finite number, got " + p.noisePsdDbmPerHz()));
        }
        if (p.maxBlocksPerDevice() < 1) {
            v.add(new Violation("maxBlocksPerDevice", "must be at least 1, got " + p.maxBlocksPerDevice()));
        }
        List<Block> blocks = p.blocks();
        if (blocks == null || blocks.isEmpty()) {
            v.add(new Violation("blocks", "at least one block is required"));
        } else {
            Map<Integer, Long> sizeAtLayer = new HashMap<>();
            for (int i = 0; i < blocks.size(); i++) {
                Block b = blocks.get(i);
                if (b == null) {
                    v.add(new Violation("blocks[" + i + "]", "is null"));
                    continue;
                }
                if (layers > 0 && (b.layer() < 1 || b.layer() > layers + 1)) {
                    v.add(new Violation(
                            "blocks[" + i + "].layer",
                            "must be within 1.." + (layers + 1) + " (" + (layers + 1) + " is the task head), got "
                                    + b.layer()));
                }
                if (b.params() <= 0) {
                    v.add(new Violation("blocks[" + i + "].params", "must be positive, got " + b.params()));
                }
                Long other = sizeAtLayer.putIfAbsent(b.layer(), b.params());
                if (other != null && other != b.params()) {
                    v.add(new Violation(
                            "blocks[" + i + "].params",
                            "another block at layer " + b.layer() + " has "
                                    + other
                                    + " params; blocks sharing a layer must be the same size, since a plan names"
                                    + " blocks by layer"));
                }
            }
        }
        List<Device> devices = p.devices();
        if (devices == null || devices.isEmpty()) {
            v.add(new Violation("devices", "at least one device is required"));
        } else {
            Map<String, Integer> seen = new HashMap<>();
            double fixedSum = 0;
            int unfixed = 0;
            for (int i = 0; i < devices.size(); i++) {
                Device d = devices.get(i);
                String at = "devices[" + i + "]";
                if (d == null) {
                    v.add(new Violation(at, "is null"));
                    continue;
                }
                if (d.name() == null || d.name().isBlank()) {
                    v.add(new Violation(at + ".name", "is required"));
                } else {
                    Integer prev = seen.putIfAbsent(d.name(), i);
                    if (prev != null) {
                        v.add(new Violation(
                                at + ".name", "duplicate device name '" + d.name() + "' (also devices[" + prev + "])"));
                    }
                }
                positiveFinite(v, at + ".computeFlops", d.computeFlops());
                positiveFinite(v, at + ".memoryBytes", d.memoryBytes());
                finite(v, at + ".txPowerDbm", d.txPowerDbm());
                finite(v, at + ".channelGainDb", d.channelGainDb());
                if (Double.isFinite(d.txPowerDbm())
                        && Double.isFinite(d.channelGainDb())
                        && Double.isFinite(p.noisePsdDbmPerHz())) {
                    double g = Uplink.gamma(d.txPowerDbm(), d.channelGainDb(), p.noisePsdDbmPerHz());
                    if (!(g > 0) || !Double.isFinite(g)) {
                        v.add(new Violation(
                                at + ".channelGainDb",
                                "with txPowerDbm and noisePsdDbmPerHz gives a " + "signal-to-noise ratio per hertz of "
                                        + g + ", outside what can be computed"));
                    }
                }
                if (d.bandwidthHz() != null) {
                    positiveFinite(v, at + ".bandwidthHz", d.bandwidthHz());
                    fixedSum += d.bandwidthHz();
                } else {
                    unfixed++;
                }
                if (d.profile() != null && layers > 0) {
                    profile(v, at + ".profile", d.profile(), layers);
                }
            }
            if (algorithm == Algorithm.CRUNCH && Double.isFinite(p.bandwidthHz()) && p.bandwidthHz() > 0) {
                if (fixedSum > p.bandwidthHz() * (1 + 1e-12)) {
                    v.add(new Violation(
                            "devices[].bandwidthHz",
                            "the fixed bandwidths sum to " + fixedSum + " Hz, more than the total bandwidthHz "
                                    + p.bandwidthHz()));
                } else if (unfixed > 0 && fixedSum >= p.bandwidthHz()) {
                    v.add(new Violation(
                            "devices[].bandwidthHz",
                            "the fixed bandwidths use the whole " + p.bandwidthHz() + " Hz, leaving nothing for the "
                                    + unfixed + " device(s) without one"));
                }
            }
        }
        if (!v.isEmpty()) {
            throw new InvalidProblemException(v);
        }
    }

    private static void profile(List<Violation> v, String at, DeviceProfile pr, int layers) {
        table(v, at + ".computeSeconds", pr.computeSeconds(), layers);
        table(v, at + ".memoryBytes", pr.memoryBytes(), layers);
    }

    private static void table(List<Violation> v, String at, double[] xs, int layers) {
        if (xs == null) {
            v.add(new Violation(at, "is required when a profile is given"));
            return;
        }
        if (xs.length != layers) {
            v.add(new Violation(at, "must have one entry per depth 1.." + layers + ", got " + xs.length));
            return;
        }
        for (int i = 0; i < xs.length; i++) {
            if (!(xs[i] > 0) || !Double.isFinite(xs[i])) {
                v.add(new Violation(at + "[" + i + "]", "must be a positive finite number, got " + xs[i]));
                return;
            }
            if (i > 0 && xs[i] < xs[i - 1]) {
                v.add(new Violation(
                        at + "[" + i + "]",
                        "decreases from depth " + i + " (" + xs[i - 1] + ") to depth " + (i + 1) + " (" + xs[i]
                                + "); costs must not decrease with depth"));
                return;
            }
        }
    }

    private static void positive(List<Violation> v, String at, long x) {
        if (x <= 0) {
            v.add(new Violation(at, "must be positive, got " + x));
        }
    }

    private static void positiveFinite(List<Violation> v, String at, double x) {
        if (!(x > 0) || !Double.isFinite(x)) {
            v.add(new Violation(at, "must be a positive finite number, got " + x));
        }
    }

    private static void finite(List<Violation> v, String at, double x) {
        if (!Double.isFinite(x)) {
            v.add(new Violation(at, "must be a finite number, got " + x));
        }
    }
}
