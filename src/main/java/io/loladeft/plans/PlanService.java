package io.loladeft.plans;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.PageView;
import io.loladeft.common.Problems;
import io.loladeft.planning.Algorithm;
import io.loladeft.planning.AlgorithmNotApplicableException;
import io.loladeft.planning.InfeasibleProblemException;
import io.loladeft.planning.InvalidProblemException;
import io.loladeft.planning.Plan;
import io.loladeft.planning.PlanValidator;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.ProblemTooLargeException;
import io.loladeft.planning.SolverTimeoutException;
import io.loladeft.planning.Violation;
import io.loladeft.planning.channel.RobustPlanner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;

/** The plan use cases: solve and store, read back, compare every algorithm, draw a timeline. */
@Service
public class PlanService {

    private final Planner planner;
    private final RobustPlanner robust;
    private final ProblemBuilder builder;
    private final PlanStore store;

    PlanService(Planner planner, ProblemBuilder builder, PlanStore store) {
        this.planner = planner;
        this.robust = new RobustPlanner(planner);
        this.builder = builder;
        this.store = store;
    }

    /**
     * A core plan and, for objective quantile, the gain (dB) each involved device's upload is priced at; {@code null}
     * for objective mean.
     */
    private record Priced(Plan plan, Map<String, Double> plannedGainsDb) {}

    /** A stored plan with the fully resolved request it was made for (what a job runs). */
    public record StoredPlan(PlanView plan, PlanRequest request) {

        /**
         * The cost model's FLOPs of one local iteration that trains the blocks at {@code layers} of this
         * plan's model on {@code batchSize * seqLen} tokens (docs/planning.md, "Costs"): what a job needs to
         * share one measured step among devices.
         */
        public double iterationFlops(int batchSize, int seqLen, Collection<Integer> layers) {
            return ProblemBuilder.modelSpec(request.model().withDefaults()).iterationFlops(batchSize, seqLen, layers);
        }
    }

    public PlanView create(PlanRequest request) {
        Algorithm algorithm = ProblemBuilder.algorithm(request.algorithm());
        ProblemBuilder.Resolved resolved = builder.resolve(request);
        PlanView view = view(UUID.randomUUID(), solve(resolved, algorithm), Instant.now());
        store.save(view, resolved.request());
        return view;
    }

    public PlanView get(UUID id) {
        return stored(id).plan();
    }

    public StoredPlan stored(UUID id) {
        return findStored(id).orElseThrow(() -> Problems.notFound("plan", id.toString()));
    }

    /** The stored plan, if there is one: for callers to whom a missing plan means something else than 404. */
    public Optional<StoredPlan> findStored(UUID id) {
        return store.find(id).map(s -> new StoredPlan(s.plan(), s.request()));
    }

    public PageView<PlanView> list(int page, int size) {
        long total = store.count();
        return new PageView<>(store.page(page, size), page, size, total, (int) ((total + size - 1) / size));
    }

    /**
     * Every algorithm on the same input; one that cannot plan it says why in its row, one whose plan breaks a
     * constraint of the request says which. The algorithms share one time budget: each gets the time left divided
     * by the number of algorithms still to run, so the whole comparison answers within the budget.
     */
    public Comparison compare(PlanRequest request) {
        ProblemBuilder.Resolved resolved = builder.resolve(request);
        PlanningProblem problem = resolved.problem();
        long end = System.nanoTime() + planner.limits().timeBudgetMillis() * 1_000_000L;
        Algorithm[] algorithms = Algorithm.values();
        List<Plan> plans = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<String> breaks = new ArrayList<>();
        for (int i = 0; i < algorithms.length; i++) {
            long share = Math.max(1, (end - System.nanoTime()) / 1_000_000L / (algorithms.length - i));
            try {
                Plan p = price(resolved, algorithms[i], share).plan();
                plans.add(p);
                errors.add(null);
                List<String> broken = PlanValidator.brokenConstraints(problem, p);
                breaks.add(broken.isEmpty() ? null : String.join("; ", broken));
            } catch (InvalidProblemException e) {
                throw unprocessable(e.violations(), "the fleet is not a valid planning problem");
            } catch (InfeasibleProblemException
                    | ProblemTooLargeException
                    | SolverTimeoutException
                    | AlgorithmNotApplicableException e) {
                plans.add(null);
                errors.add(e.getMessage());
                breaks.add(null);
            }
        }
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < plans.size(); i++) {
            if (plans.get(i) != null && breaks.get(i) == null) {
                best = Math.min(best, plans.get(i).roundLatencySeconds());
            }
        }
        if (best == Double.POSITIVE_INFINITY) {
            String why = errors.stream().filter(e -> e != null).findFirst().orElse(breaks.get(0));
            throw Problems.unprocessable(
                    "no algorithm can plan this fleet within its constraints: " + why,
                    List.of(new FieldViolation("devices", why)));
        }
        List<Comparison.Row> rows = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            Plan p = plans.get(i);
            String name = algorithms[i].wireName();
            rows.add(
                    p == null
                            ? new Comparison.Row(name, null, null, null, null, null, null, errors.get(i), null)
                            : new Comparison.Row(
                                    name,
                                    p.roundLatencySeconds(),
                                    p.totalLatencySeconds(),
                                    p.lowerBoundSeconds(),
                                    p.roundLatencySeconds() / best,
                                    p.solver().solveMillis(),
                                    p.solver().gap(),
                                    null,
                                    breaks.get(i)));
        }
        return new Comparison(best, rows);
    }

    public String timeline(UUID id) {
        return TimelineSvg.render(get(id));
    }

    /** Objective mean: the algorithm's plan; quantile: the robust plan for the request's channel. */
    private Priced price(ProblemBuilder.Resolved resolved, Algorithm algorithm, long budgetMillis) {
        PlanRequest r = resolved.request();
        if (!PlanRequest.QUANTILE.equals(r.objective())) {
            return new Priced(planner.plan(resolved.problem(), algorithm, budgetMillis), null);
        }
        RobustPlanner.RobustPlan rp = robust.plan(
                resolved.problem(),
                algorithm,
                ProblemBuilder.channelModel(r.channel()),
                r.outageProbability(),
                budgetMillis);
        return new Priced(rp.plan(), rp.plannedGainsDb());
    }

    private Priced solve(ProblemBuilder.Resolved resolved, Algorithm algorithm) {
        try {
            return price(resolved, algorithm, planner.limits().timeBudgetMillis());
        } catch (InvalidProblemException e) {
            throw unprocessable(e.violations(), "the fleet is not a valid planning problem");
        } catch (InfeasibleProblemException e) {
            throw unprocessable(e.violations(), "no plan exists for this fleet");
        } catch (ProblemTooLargeException | SolverTimeoutException | AlgorithmNotApplicableException e) {
            throw Problems.unprocessable(e.getMessage(), List.of(new FieldViolation("algorithm", e.getMessage())));
        }
    }

    static ErrorResponseException unprocessable(List<Violation> violations, String detail) {
        return Problems.unprocessable(
                detail + ": " + violations.get(0),
                violations.stream()
                        .map(v -> new FieldViolation(v.subject(), v.message()))
                        .toList());
    }

    private static PlanView view(UUID id, Priced priced, Instant at) {
        Plan p = priced.plan();
        Map<String, Double> gains = priced.plannedGainsDb();
        return new PlanView(
                id,
                p.algorithm().wireName(),
                p.roundLatencySeconds(),
                p.totalLatencySeconds(),
                p.lowerBoundSeconds(),
                p.assignments().stream()
                        .map(a -> PlanView.AssignmentView.of(a, gains == null ? null : gains.get(a.device())))
                        .toList(),
                p.idleDevices(),
                p.bottleneckDevice(),
                new PlanView.SolverView(
                        p.solver().iterations(),
                        p.solver().solveMillis(),
                        p.solver().gap()),
                at);
    }
}
