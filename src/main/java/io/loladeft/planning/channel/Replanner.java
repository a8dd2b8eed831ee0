package io.loladeft.planning.channel;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.Assignment;
import io.loladeft.planning.Block;
import io.loladeft.planning.Device;
import io.loladeft.planning.Plan;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.ProblemTooLargeException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Re-plans one round of a running job for that round's gains (and the fleet and speeds it has now), with the cost
 * of moving blocks priced into the round rather than left to a hysteresis threshold.
 *
 * <p>Moving a block means its new device receives the block and its optimizer state before it can train it:
 * {@code migrationBitsPerParam} bits per parameter (32 for the parameter, plus 64 for AdamW's two moments), sent over
 * that device's link within the round at the round's rate of its share of the band (the model prices no downlink
 * otherwise, so the link is taken as symmetric). Two candidates are priced exactly:
 * <ul>
 *   <li><b>keep</b>: the current blocks where they are, the band re-split min-max for the round's gains (no
 *       migration); only when every current device is still in the fleet;
 *   <li><b>move</b>: the exact optimum for the round's gains ({@code exact}, or {@code joint} where {@code exact}
 *       refuses the size), its band re-split with each device's migration bits added to what it sends.
 * </ul>
 * The lower round latency wins (keep on a tie), so a re-plan moves blocks only when that pays for itself within the
 * round that pays for it. Stateless and thread-safe like the {@link Planner} it calls.
 */
public final class Replanner {

    private final Planner planner;

    public Replanner(Planner planner) {
        this.planner = planner;
    }

    /**
     * A round's plan.
     *
     * @param plan             the plan the round runs (its upload seconds include migration transfers)
     * @param moved            whether any block changed device
     * @param migrationSeconds per device that receives blocks: seconds of that transfer within its latency
     * @param migrationBits    per device that receives blocks: the bits it receives
     * @param keptSeconds      the keep candidate's round latency (NaN when a current device left)
     * @param optimumSeconds   the exact optimum's round latency for the round's gains, migration not counted
     * @param optimumAlgorithm {@code exact}, or {@code joint} where {@code exact} refused the size
     */
    public record Replan(
            Plan plan,
            boolean moved,
            Map<String, Double> migrationSeconds,
            Map<String, Double> migrationBits,
            double keptSeconds,
            double optimumSeconds,
            Algorithm optimumAlgorithm) {}

    /**
     * @param problem               the round's problem: the fleet as it is now, at the round's gains
     * @param current               each device's layers in the previous round; empty before the first round
     *                              (every block then starts from the server's state: nothing migrates)
     * @param migrationBitsPerParam bits a moved block carries per parameter (the parameter and its optimizer state)
     * @param budgetMillis          the solve's time budget
     */
    public Replan replan(
            PlanningProblem problem,
            Map<String, List<Integer>> current,
            double migrationBitsPerParam,
            long budgetMillis) {
        Algorithm algorithm = Algorithm.EXACT;
        Plan optimum;
        try {
            optimum = planner.plan(problem, algorithm, budgetMillis);
        } catch (ProblemTooLargeException e) {
            algorithm = Algorithm.JOINT;
            optimum = planner.plan(problem, algorithm, budgetMillis);
        }
        Map<Integer, Long> paramsAtLayer = new HashMap<>();
        for (Block b : problem.blocks()) {
            paramsAtLayer.merge(b.layer(), b.params(), Long::sum);
        }
        Map<String, List<Integer>> target = new LinkedHashMap<>();
        Map<String, Double> extra = new HashMap<>();
        boolean moved = false;
        for (Assignment a : optimum.assignments()) {
            target.put(a.device(), a.layers());
            Set<Integer> had = new HashSet<>(current.getOrDefault(a.device(), List.of()));
            double bits = 0;
            for (int layer : a.layers()) {
                if (!had.contains(layer)) {
                    moved = true;
                    bits += paramsAtLayer.get(layer) * migrationBitsPerParam;
                }
            }
            if (bits > 0 && !current.isEmpty()) {
                extra.put(a.device(), bits);
            }
        }
        if (current.isEmpty()) {
            moved = false;
        }
        Plan movePlan = extra.isEmpty() ? optimum : planner.forAssignment(problem, target, extra, algorithm);

        Set<String> fleet = new HashSet<>();
        problem.devices().forEach(d -> fleet.add(d.name()));
        double kept = Double.NaN;
        if (!current.isEmpty() && fleet.containsAll(current.keySet())) {
            Plan keepPlan = planner.forAssignment(problem, current, Map.of(), algorithm);
            kept = keepPlan.roundLatencySeconds();
            if (kept <= movePlan.roundLatencySeconds()) {
                return new Replan(keepPlan, false, Map.of(), Map.of(), kept, optimum.roundLatencySeconds(), algorithm);
            }
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (Assignment a : movePlan.assignments()) {
            Double bits = extra.get(a.device());
            if (bits != null) {
                Device d = problem.devices().stream()
                        .filter(x -> x.name().equals(a.device()))
                        .findFirst()
                        .orElseThrow();
                seconds.put(
                        a.device(),
                        Planner.uploadSeconds(
                                bits, a.bandwidthHz(), d.txPowerDbm(), d.channelGainDb(), problem.noisePsdDbmPerHz()));
            }
        }
        return new Replan(movePlan, moved, seconds, Map.copyOf(extra), kept, optimum.roundLatencySeconds(), algorithm);
    }
}
