package io.loladeft.planning.channel;

import io.loladeft.planning.Algorithm;
import io.loladeft.planning.InvalidProblemException;
import io.loladeft.planning.Plan;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.ProblemTooLargeException;
import io.loladeft.planning.SolverTimeoutException;
import io.loladeft.planning.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Runs planning policies against the same seeded fading draws and the per-round optimum. Stateless and thread-safe
 * like the {@link Planner} it calls; one time budget covers the whole simulation.
 *
 * <p>Per round: draw the gains; the optimum is {@code exact} on those gains ({@code joint} if {@code exact} refuses
 * the size); {@code static} and {@code robust} evaluate the plan they made once ({@link RealizedLatency});
 * {@code adaptive} plans with the simulation's algorithm on those gains (reusing the optimum's plan when that
 * algorithm is the one that computed it).
 */
public final class Simulator {

    private final Planner planner;
    private final RobustPlanner robust;

    public Simulator(Planner planner) {
        this.planner = planner;
        this.robust = new RobustPlanner(planner);
    }

    /**
     * @throws InvalidProblemException the simulation's settings or the fleet are malformed, each fault named
     * @throws SolverTimeoutException  the simulation did not finish within {@code budgetMillis}
     * @throws io.loladeft.planning.InfeasibleProblemException no plan exists for the fleet
     */
    public SimulationResult run(Simulation sim, long budgetMillis) {
        check(sim);
        long end = System.nanoTime() + Math.max(1, budgetMillis) * 1_000_000L;
        PlanningProblem problem = sim.problem();
        int k = problem.devices().size();
        double[] meanDb = new double[k];
        for (int i = 0; i < k; i++) {
            meanDb[i] = problem.devices().get(i).channelGainDb();
        }
        List<Policy> policies = sim.policies();
        int p = policies.size();

        // Plans made once, before the first round.
        Plan[] fixed = new Plan[p];
        Map<String, Double> robustGains = null;
        RealizedLatency[] evaluators = new RealizedLatency[p];
        for (int j = 0; j < p; j++) {
            fixed[j] = switch (policies.get(j)) {
                case STATIC -> planner.plan(problem, sim.algorithm(), remaining(end, sim, 0));
                case ROBUST -> {
                    RobustPlanner.RobustPlan rp = robust.plan(
                            problem, sim.algorithm(), sim.channel(), sim.outageProbability(), remaining(end, sim, 0));
                    robustGains = rp.plannedGainsDb();
                    yield rp.plan();
                }
                case ADAPTIVE -> null;
            };
            if (fixed[j] != null) {
                evaluators[j] = new RealizedLatency(problem, fixed[j]);
            }
        }

        GainDraws draws = new GainDraws(sim.channel(), meanDb, sim.seed());
        Algorithm optimumAlgorithm = Algorithm.EXACT;
        List<SimulationResult.Round> rounds = new ArrayList<>(sim.rounds());
        double[] optimum = new double[sim.rounds()];
        double[][] latency = new double[p][sim.rounds()];
        double[][] ratio = new double[p][sim.rounds()];
        int[] over = new int[p];
        for (int r = 0; r < sim.rounds(); r++) {
            double[] gains = draws.next();
            PlanningProblem now = RobustGains.withGains(problem, gains);
            Plan best;
            try {
                best = planner.plan(now, optimumAlgorithm, remaining(end, sim, r));
            } catch (ProblemTooLargeException e) {
                // exact refuses by size alone, the same every round: settle for joint from here on (reported).
                optimumAlgorithm = Algorithm.JOINT;
                best = planner.plan(now, optimumAlgorithm, remaining(end, sim, r));
            }
            optimum[r] = best.roundLatencySeconds();
            double[] row = new double[p];
            for (int j = 0; j < p; j++) {
                double t;
                if (policies.get(j) == Policy.ADAPTIVE) {
                    t = sim.algorithm() == optimumAlgorithm
                            ? optimum[r]
                            : planner.plan(now, sim.algorithm(), remaining(end, sim, r))
                                    .roundLatencySeconds();
                } else {
                    t = evaluators[j].under(gains);
                    if (t > fixed[j].roundLatencySeconds() * (1 + 1e-9)) {
                        over[j]++;
                    }
                }
                row[j] = t;
                latency[j][r] = t;
                ratio[j][r] = t / optimum[r];
            }
            rounds.add(new SimulationResult.Round(r, gains, optimum[r], row));
        }
        List<SimulationResult.PolicyResult> results = new ArrayList<>(p);
        for (int j = 0; j < p; j++) {
            boolean adaptive = policies.get(j) == Policy.ADAPTIVE;
            results.add(new SimulationResult.PolicyResult(
                    policies.get(j),
                    fixed[j],
                    adaptive ? null : fixed[j].roundLatencySeconds(),
                    SimulationResult.Stats.of(latency[j]),
                    SimulationResult.Stats.of(ratio[j]),
                    adaptive ? null : over[j],
                    policies.get(j) == Policy.ROBUST ? robustGains : null));
        }
        return new SimulationResult(optimumAlgorithm, SimulationResult.Stats.of(optimum), results, rounds);
    }

    /** Milliseconds left for the next solve; past the end, the simulation stops with a timeout naming its progress. */
    private static long remaining(long end, Simulation sim, int round) {
        long left = (end - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            throw new SolverTimeoutException(String.format(
                    Locale.ROOT,
                    "the simulation ran out of its time budget"
                            + " after %d of %d rounds (%d devices, %d blocks); simulate fewer rounds or a smaller fleet",
                    round,
                    sim.rounds(),
                    sim.problem().devices().size(),
                    sim.problem().blocks().size()));
        }
        return left;
    }

    private static void check(Simulation sim) {
        List<Violation> bad = new ArrayList<>();
        if (sim.problem() == null
                || sim.problem().devices() == null
                || sim.problem().blocks() == null) {
            bad.add(new Violation("problem", "is required, with devices and blocks"));
        }
        if (sim.algorithm() == null) {
            bad.add(new Violation("algorithm", "is required"));
        }
        if (sim.channel() == null) {
            bad.add(new Violation("channel", "is required"));
        } else {
            bad.addAll(sim.channel().violations("channel."));
        }
        if (sim.rounds() < 1) {
            bad.add(new Violation("rounds", "must be at least 1, was " + sim.rounds()));
        }
        if (sim.policies() == null || sim.policies().isEmpty()) {
            bad.add(new Violation("policies", "name at least one of static, robust, adaptive"));
        } else if (sim.policies().stream().anyMatch(Objects::isNull)
                || new HashSet<>(sim.policies()).size() != sim.policies().size()) {
            bad.add(new Violation("policies", "must not repeat a policy or contain null"));
        }
        if (!(sim.outageProbability() > 0 && sim.outageProbability() < 1)) {
            bad.add(new Violation("outageProbability", "must be within (0, 1), was " + sim.outageProbability()));
        }
        if (!bad.isEmpty()) {
            throw new InvalidProblemException(bad);
        }
    }
}
