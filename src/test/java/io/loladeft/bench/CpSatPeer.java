package io.loladeft.bench;

import com.google.ortools.Loader;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.Literal;
import io.loladeft.planning.Plan;
import io.loladeft.planning.PlanValidator;
import io.loladeft.planning.PlanningProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * P1 (one block per device, bandwidth {@code B/K} each) as a CP-SAT model: a boolean per pair that fits memory,
 * each block exactly once, each device at most once, minimise {@code t} with {@code t >= sum_k rank(T_kn) x_kn}
 * per block. Only
 * the order of the pair latencies matters for a bottleneck objective, so the latencies are replaced by their
 * integer ranks (exact, no rounding). Pair latencies come from a CRUNCH-free transcription of the model: the
 * shared {@link PlanValidator} recomputes them from a one-device plan.
 */
public final class CpSatPeer {

    static {
        Loader.loadNativeLibraries();
    }

    private CpSatPeer() {}

    /** Pair latency matrix [block][device] at B/K each, +inf where the block does not fit the device. */
    public static double[][] pairLatencies(PlanningProblem p) {
        int k = p.devices().size();
        int n = p.blocks().size();
        double hz = p.bandwidthHz() / k;
        double[][] lat = new double[n][k];
        for (int b = 0; b < n; b++) {
            for (int d = 0; d < k; d++) {
                lat[b][d] = PeerCosts.latency(p, d, b, hz);
            }
        }
        return lat;
    }

    /** The CP-SAT optimum of P1 (seconds), solved with {@code workers} search workers. */
    public static double solve(double[][] lat, int workers) {
        int n = lat.length;
        int k = lat[0].length;
        double[] all = Arrays.stream(lat)
                .flatMapToDouble(Arrays::stream)
                .filter(Double::isFinite)
                .sorted()
                .distinct()
                .toArray();
        CpModel model = new CpModel();
        IntVar t = model.newIntVar(0, all.length - 1, "t");
        List<List<Literal>> perDevice = new ArrayList<>();
        for (int d = 0; d < k; d++) {
            perDevice.add(new ArrayList<>());
        }
        for (int b = 0; b < n; b++) {
            List<Literal> row = new ArrayList<>();
            List<Long> ranks = new ArrayList<>();
            for (int d = 0; d < k; d++) {
                if (Double.isFinite(lat[b][d])) {
                    Literal x = model.newBoolVar("x" + b + "_" + d);
                    row.add(x);
                    perDevice.get(d).add(x);
                    ranks.add((long) Arrays.binarySearch(all, lat[b][d]));
                }
            }
            model.addExactlyOne(row.toArray(new Literal[0]));
            // Exactly one x of the row is 1, so t >= sum_k rank_kn x_kn is the block's latency rank: exact, and
            // a much tighter LP relaxation than one indicator constraint per pair.
            Literal[] xs = row.toArray(new Literal[0]);
            long[] cs = ranks.stream().mapToLong(Long::longValue).toArray();
            model.addGreaterOrEqual(LinearExpr.term(t, 1), LinearExpr.weightedSum(xs, cs));
        }
        for (List<Literal> col : perDevice) {
            if (col.size() > 1) {
                model.addAtMostOne(col.toArray(new Literal[0]));
            }
        }
        model.minimize(LinearExpr.term(t, 1));
        CpSolver solver = new CpSolver();
        solver.getParameters().setNumSearchWorkers(workers);
        solver.getParameters().setLogSearchProgress(Boolean.getBoolean("cpsat.log"));
        solver.getParameters().setMaxTimeInSeconds(Double.parseDouble(System.getProperty("cpsat.maxSeconds", "600")));
        CpSolverStatus status = solver.solve(model);
        if (status != CpSolverStatus.OPTIMAL) {
            throw new IllegalStateException("CP-SAT status " + status);
        }
        return all[(int) solver.value(t)];
    }

    /** Check helper: a plan's round latency against the peer optimum. */
    public static void requireSame(PlanningProblem p, Plan plan, double peer) {
        PlanValidator.requireValid(p, plan);
        if (Math.abs(plan.roundLatencySeconds() - peer) > 1e-9 * peer) {
            throw new IllegalStateException("CRUNCH " + plan.roundLatencySeconds() + " != CP-SAT " + peer);
        }
    }
}
