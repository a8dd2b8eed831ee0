package io.loladeft.planning;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a plan against its problem, recomputing every number from the model's formulas in its own, deliberately
 * plain transcription (it shares no cost code with the solvers, so it catches their mistakes):
 * each block exactly once; devices known, each listed once, idle ones exactly the rest and without bandwidth;
 * at most {@code maxBlocksPerDevice} blocks per device (except {@code offload}); {@code sum B_k <= B} to 1e-9
 * relative; memory within budget; compute, upload, latency and memory recompute to 1e-9 relative;
 * {@code roundLatency = max_k T_k}, the bottleneck has it, {@code total = R * round};
 * {@code 0 <= lowerBound <= round}, {@code 0 <= gap <= 1}.
 */
public final class PlanValidator {

    private static final double TOL = 1e-9;

    private PlanValidator() {}

    /** Every way the plan breaks the problem's rules; empty when it is valid. */
    public static List<String> check(PlanningProblem p, Plan plan) {
        List<String> bad = new ArrayList<>();
        if (plan == null || plan.assignments() == null || plan.idleDevices() == null) {
            bad.add("plan or its lists are null");
            return bad;
        }
        int layers = p.model().shape().layers();
        Map<String, Device> devices = new HashMap<>();
        for (Device d : p.devices()) {
            devices.put(d.name(), d);
        }
        Map<Integer, Integer> blocksAtLayer = new HashMap<>();
        Map<Integer, Long> paramsAtLayer = new HashMap<>();
        for (Block b : p.blocks()) {
            blocksAtLayer.merge(b.layer(), 1, Integer::sum);
            paramsAtLayer.put(b.layer(), b.params());
        }
        Map<Integer, Integer> assignedAtLayer = new HashMap<>();
        Set<String> seen = new HashSet<>();
        double bandwidth = 0;
        double round = 0;
        Training t = p.training();
        double noise = Math.pow(10, (p.noisePsdDbmPerHz() - 30) / 10);
        for (Assignment a : plan.assignments()) {
            Device d = devices.get(a.device());
            if (d == null) {
                bad.add("assignment to unknown device " + a.device());
                continue;
            }
            if (!seen.add(a.device())) {
                bad.add("device " + a.device() + " has two assignments");
            }
            if (a.layers().isEmpty()) {
                bad.add("device " + a.device() + " is listed as involved with no blocks");
                continue;
            }
            if (plan.algorithm() != Algorithm.OFFLOAD && a.layers().size() > p.maxBlocksPerDevice()) {
                bad.add("device " + a.device() + " trains " + a.layers().size() + " blocks, more than "
                        + p.maxBlocksPerDevice());
            }
            int dmax = -1;
            double sumP = 0;
            double deepestP = 0;
            double grads = 0;
            for (int layer : a.layers()) {
                assignedAtLayer.merge(layer, 1, Integer::sum);
                Long params = paramsAtLayer.get(layer);
                if (params == null) {
                    bad.add("device " + a.device() + " trains a block at layer " + layer + " that does not exist");
                    continue;
                }
                int depth = layers - layer + 1;
                sumP += params;
                // the head (layer L + 1, depth 0) sees one token per sequence, an encoder block all s of them
                grads += 2 * t.batchSize() * (depth == 0 ? 1.0 : t.seqLen()) * params;
                if (depth > dmax) {
                    dmax = depth;
                    deepestP = params;
                } else if (depth == dmax) {
                    deepestP = Math.max(deepestP, params);
                }
            }
            if (dmax < 0) {
                continue;
            }
            double comp;
            double mem;
            double b = t.batchSize();
            double s = t.seqLen();
            double e = t.localIterations();
            if (d.profile() != null) {
                // tables start at depth 1: the head alone is charged depth 1's entry plus all of its own costs
                double coveredP = dmax == 0 ? 0 : deepestP;
                int row = Math.max(dmax, 1) - 1;
                comp = e * d.profile().computeSeconds()[row] + e * (grads - 2 * b * s * coveredP) / d.computeFlops();
                mem = d.profile().memoryBytes()[row] + 4.0 * p.model().bytesPerTrainable() * (sumP - coveredP);
            } else {
                RobertaShape m = p.model().shape();
                double h = m.hidden();
                double fLayer = 2 * b * s * (4 * h * h + 2 * h * m.intermediate()) + 4 * b * s * s * h;
                double fHead = 2 * b * (h * h + 2 * h);
                double fFwd = m.layers() * fLayer + fHead;
                comp = e * (fFwd + fHead + dmax * fLayer + grads) / d.computeFlops();
                double bpw = p.model().bytesPerWeight();
                double act = b * s * (7 * h + m.intermediate() + 3.0 * m.heads() * s) * bpw;
                double work = b * s * (17 * h + m.intermediate() + 3.0 * m.heads() * s) * bpw;
                mem = p.model().backboneBytes()
                        + work
                        + dmax * act
                        + 4.0 * p.model().bytesPerTrainable() * sumP;
            }
            double bk = a.bandwidthHz();
            if (!(bk > 0) || !Double.isFinite(bk)) {
                bad.add("device " + a.device() + " has bandwidth " + bk);
                continue;
            }
            bandwidth += bk;
            double gamma = Math.pow(10, (d.txPowerDbm() - 30) / 10) * Math.pow(10, d.channelGainDb() / 10) / noise;
            // ln(1 + x) by log1p (log(1 + x) loses every digit below x = 1e-16); ln(gamma) - ln(B) where x overflows
            double x = gamma / bk;
            double ln1px = Double.isInfinite(x) ? Math.log(gamma) - Math.log(bk) : Math.log1p(x);
            double rate = bk * ln1px / Math.log(2);
            double up = t.bitsPerParam() * sumP / rate;
            close(bad, a.device() + " computeSeconds", a.computeSeconds(), comp);
            close(bad, a.device() + " uploadSeconds", a.uploadSeconds(), up);
            close(bad, a.device() + " latencySeconds", a.latencySeconds(), comp + up);
            close(bad, a.device() + " memoryBytes", a.memoryBytes(), mem);
            if (mem > d.memoryBytes() * (1 + 1e-12)) {
                bad.add("device " + a.device() + " needs " + mem + " bytes, over its budget " + d.memoryBytes());
            }
            round = Math.max(round, comp + up);
        }
        for (Map.Entry<Integer, Integer> en : blocksAtLayer.entrySet()) {
            int got = assignedAtLayer.getOrDefault(en.getKey(), 0);
            if (got != en.getValue()) {
                bad.add("layer " + en.getKey() + " has " + en.getValue() + " block(s) but " + got + " assigned");
            }
        }
        for (Integer layer : assignedAtLayer.keySet()) {
            if (!blocksAtLayer.containsKey(layer)) {
                bad.add("layer " + layer + " assigned but has no block");
            }
        }
        Set<String> idle = new HashSet<>(plan.idleDevices());
        if (idle.size() != plan.idleDevices().size()) {
            bad.add("idle devices listed twice");
        }
        for (String name : devices.keySet()) {
            if (seen.contains(name) == idle.contains(name)) {
                bad.add("device " + name + " must be either involved or idle, exactly once");
            }
        }
        if (bandwidth > p.bandwidthHz() * (1 + TOL)) {
            bad.add("bandwidths sum to " + bandwidth + " Hz, over the budget " + p.bandwidthHz());
        }
        close(bad, "roundLatencySeconds", plan.roundLatencySeconds(), round);
        close(bad, "totalLatencySeconds", plan.totalLatencySeconds(), round * t.rounds());
        Assignment bn = plan.assignments().stream()
                .filter(a -> a.device().equals(plan.bottleneckDevice()))
                .findFirst()
                .orElse(null);
        if (bn == null) {
            bad.add("bottleneck device " + plan.bottleneckDevice() + " is not involved");
        } else {
            close(bad, "bottleneck latency", bn.latencySeconds(), plan.roundLatencySeconds());
        }
        if (!(plan.lowerBoundSeconds() >= 0) || plan.lowerBoundSeconds() > plan.roundLatencySeconds() * (1 + TOL)) {
            bad.add("lower bound " + plan.lowerBoundSeconds() + " is not within [0, round latency "
                    + plan.roundLatencySeconds() + "]");
        }
        if (plan.solver() == null || !(plan.solver().gap() >= 0 && plan.solver().gap() <= 1)) {
            bad.add("solver gap outside [0, 1]: " + plan.solver());
        }
        return bad;
    }

    /**
     * The request's constraints a plan breaks on purpose, each named: today only {@code maxBlocksPerDevice}, which the
     * {@code offload} baseline ignores (one device trains everything). Empty for every other algorithm's plans.
     */
    public static List<String> brokenConstraints(PlanningProblem p, Plan plan) {
        List<String> out = new ArrayList<>();
        for (Assignment a : plan.assignments()) {
            if (a.layers().size() > p.maxBlocksPerDevice()) {
                out.add("maxBlocksPerDevice: device '" + a.device() + "' trains "
                        + a.layers().size() + " blocks, the request allows at most " + p.maxBlocksPerDevice());
            }
        }
        return out;
    }

    /** Throws {@link IllegalStateException} listing every problem unless the plan is valid. */
    public static void requireValid(PlanningProblem p, Plan plan) {
        List<String> bad = check(p, plan);
        if (!bad.isEmpty()) {
            throw new IllegalStateException("invalid "
                    + (plan == null ? "" : plan.algorithm().wireName()) + " plan: " + String.join("; ", bad));
        }
    }

    private static void close(List<String> bad, String what, double got, double expected) {
        if (!(Math.abs(got - expected) <= TOL * Math.max(Math.abs(expected), 1e-300))) {
            bad.add(what + " is " + got + ", recomputed " + expected);
        }
    }
}
