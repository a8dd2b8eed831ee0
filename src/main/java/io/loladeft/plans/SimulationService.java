package io.loladeft.plans;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.Limits;
import io.loladeft.common.Problems;
import io.loladeft.planning.Algorithm;
import io.loladeft.planning.AlgorithmNotApplicableException;
import io.loladeft.planning.InfeasibleProblemException;
import io.loladeft.planning.InvalidProblemException;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.ProblemTooLargeException;
import io.loladeft.planning.SolverTimeoutException;
import io.loladeft.planning.channel.Policy;
import io.loladeft.planning.channel.Simulation;
import io.loladeft.planning.channel.SimulationResult;
import io.loladeft.planning.channel.Simulator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

/** Planning policies under a fading channel, simulated on seeded draws ({@link Simulator}); nothing is stored. */
@Service
public class SimulationService {

    private final Simulator simulator;
    private final ProblemBuilder builder;
    private final Limits limits;

    SimulationService(Planner planner, ProblemBuilder builder, Limits limits) {
        this.simulator = new Simulator(planner);
        this.builder = builder;
        this.limits = limits;
    }

    public SimulationView simulate(SimulationRequest request) {
        PlanRequest plan = request.plan();
        if (plan.objective() != null && !PlanRequest.MEAN.equals(plan.objective())) {
            throw Problems.badRequest(
                    "a simulation's plan has objective mean; the policies say how to plan",
                    List.of(new FieldViolation(
                            "plan.objective",
                            "must be mean (or absent) in a simulation;" + " the robust policy plans on quantiles")));
        }
        Algorithm algorithm = ProblemBuilder.algorithm(plan.algorithm());
        List<Policy> policies = policies(request.policies());
        PlanRequest.ChannelRequest c =
                request.channel() == null ? new PlanRequest.ChannelRequest(null, null, null) : request.channel();
        PlanRequest.ChannelRequest channel = new PlanRequest.ChannelRequest(
                ProblemBuilder.channelKind(c.model(), "channel.model").wireName(),
                c.coherenceRounds() == null ? 1 : c.coherenceRounds(),
                c.kFactor() == null ? 0.0 : c.kFactor());
        ProblemBuilder.Resolved resolved = builder.resolve(plan, false);
        PlanningProblem problem = resolved.problem();
        long deviceRounds = (long) request.rounds() * problem.devices().size();
        if (deviceRounds > limits.maxSimulatedDeviceRounds()) {
            throw Problems.badRequest(
                    "rounds x devices exceeds a service limit",
                    List.of(new FieldViolation(
                            "rounds",
                            request.rounds() + " rounds x " + problem.devices().size() + " devices = " + deviceRounds
                                    + "; at most " + limits.maxSimulatedDeviceRounds()
                                    + " allowed (loladeft.limits.max-simulated-device-rounds)")));
        }
        double epsilon = request.outageProbability() == null
                ? ProblemBuilder.DEFAULT_OUTAGE_PROBABILITY
                : request.outageProbability();
        long seed = request.seed() == null ? 0L : request.seed();
        SimulationResult r;
        try {
            r = simulator.run(
                    new Simulation(
                            problem,
                            algorithm,
                            ProblemBuilder.channelModel(channel),
                            request.rounds(),
                            seed,
                            policies,
                            epsilon),
                    limits.simulationTimeBudgetMillis());
        } catch (InvalidProblemException e) {
            throw PlanService.unprocessable(e.violations(), "the fleet is not a valid planning problem");
        } catch (InfeasibleProblemException e) {
            throw PlanService.unprocessable(e.violations(), "no plan exists for this fleet");
        } catch (ProblemTooLargeException | SolverTimeoutException | AlgorithmNotApplicableException e) {
            throw Problems.unprocessable(
                    e.getMessage(),
                    List.of(new FieldViolation(
                            e instanceof SolverTimeoutException ? "rounds" : "plan.algorithm", e.getMessage())));
        }
        return view(r, algorithm, channel, request.rounds(), seed, epsilon, problem);
    }

    /** The policies on the wire, default all three; 400 naming an unknown or repeated one. */
    private static List<Policy> policies(List<String> names) {
        if (names == null || names.isEmpty()) {
            return List.of(Policy.STATIC, Policy.ROBUST, Policy.ADAPTIVE);
        }
        List<Policy> out = new ArrayList<>();
        List<FieldViolation> bad = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            try {
                Policy p = Policy.fromWireName(names.get(i));
                if (out.contains(p)) {
                    bad.add(new FieldViolation("policies[" + i + "]", "'" + names.get(i) + "' is named twice"));
                }
                out.add(p);
            } catch (IllegalArgumentException e) {
                bad.add(new FieldViolation("policies[" + i + "]", e.getMessage()));
            }
        }
        if (!bad.isEmpty()) {
            throw Problems.badRequest("unknown or repeated policies", bad);
        }
        return out;
    }

    private static SimulationView view(
            SimulationResult r,
            Algorithm algorithm,
            PlanRequest.ChannelRequest channel,
            int rounds,
            long seed,
            double epsilon,
            PlanningProblem problem) {
        List<SimulationView.PolicyView> policies = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (SimulationResult.PolicyResult p : r.policies()) {
            names.add(p.policy().wireName());
            policies.add(new SimulationView.PolicyView(
                    p.policy().wireName(),
                    p.plannedRoundLatencySeconds(),
                    stats(p.realized()),
                    stats(p.ratioToOptimum()),
                    p.roundsOverPlanned(),
                    p.plan() == null
                            ? null
                            : p.plan().assignments().stream()
                                    .map(a -> PlanView.AssignmentView.of(
                                            a,
                                            p.plannedGainsDb() == null
                                                    ? null
                                                    : p.plannedGainsDb().get(a.device())))
                                    .toList()));
        }
        List<SimulationView.RoundView> perRound = new ArrayList<>(r.rounds().size());
        for (SimulationResult.Round round : r.rounds()) {
            Map<String, Double> latency = new LinkedHashMap<>();
            Map<String, Double> ratio = new LinkedHashMap<>();
            for (int j = 0; j < names.size(); j++) {
                latency.put(names.get(j), round.latencySeconds()[j]);
                ratio.put(names.get(j), round.latencySeconds()[j] / round.optimumSeconds());
            }
            List<Double> gains = new ArrayList<>(round.gainsDb().length);
            for (double g : round.gainsDb()) {
                gains.add(g);
            }
            perRound.add(new SimulationView.RoundView(round.round(), gains, round.optimumSeconds(), latency, ratio));
        }
        return new SimulationView(
                algorithm.wireName(),
                r.optimumAlgorithm().wireName(),
                channel,
                rounds,
                seed,
                epsilon,
                problem.devices().stream().map(d -> d.name()).toList(),
                stats(r.optimum()),
                policies,
                perRound);
    }

    private static SimulationView.Stats stats(SimulationResult.Stats s) {
        return new SimulationView.Stats(s.mean(), s.p50(), s.p95(), s.max(), s.total());
    }
}
