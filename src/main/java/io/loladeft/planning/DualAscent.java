package io.loladeft.planning;

import java.util.Arrays;

/**
 * JBBA, the joint bandwidth-and-block allocation P2 with one block per device, by dual ascent.
 *
 * <p><b>Formulation.</b> With {@code x_kn} the assignment, {@code c_kn} the compute seconds, {@code s_n} the
 * upload bits, {@code sigma_k} the bits device {@code k} uploads (so {@code sigma_k / s_n} plays the role of the
 * involvement variable {@code y_k}) and {@code B_k} its bandwidth:
 * <pre>
 *   min T  s.t.  T >= sum_n x_kn c_kn + sigma_k / R_k(B_k)      (latency, multiplier lambda_k >= 0)
 *                sigma_k = sum_n x_kn s_n                        (involvement link, multiplier mu_k)
 *                x an assignment on the cut graph, sum_k B_k <= B
 * </pre>
 * Minimising over {@code T} forces {@code sum_k lambda_k = 1}; the Lagrangian then splits into
 * <ul>
 *   <li>a block sub-problem, the min-sum assignment with costs {@code lambda_k c_kn + mu_k s_n}
 *       ({@code = lambda_k T_cmp + nu_k} for equal blocks), solved by {@link Hungarian} on the pairs CRUNCH's
 *       cutting leaves: within memory and, with the whole band, below the incumbent latency;</li>
 *   <li>a bandwidth sub-problem {@code min sum_k sigma_k (lambda_k / R_k(B_k) - mu_k)}, bounded by
 *       {@link BandwidthSplit#dualBound} (a 1-D root find per device and a bisection on the budget's price).</li>
 * </ul>
 * Their sum {@code q(lambda, mu)} is a lower bound on the optimum (weak duality; the cut only removes pairs that
 * cannot beat the incumbent). The multipliers follow projected subgradient steps (Polyak step toward the
 * incumbent, {@code lambda} projected on the simplex). Every iteration recovers a primal plan: the Hungarian
 * assignment with the exact min-max split ({@link BandwidthSplit#minMax}), improved by alternating with CRUNCH at
 * the split's bandwidths. The start is the equal-bandwidth CRUNCH assignment with the exact split, so JBBA is
 * never worse than {@code equal-bandwidth}.
 *
 * <p><b>Parametric step.</b> On its own the Lagrangian bound stalls well short of the optimum (the assignment
 * constraints make the relaxation loose; docs/planning.md shows the measured gaps), and the Hungarian assignments
 * of the multipliers are rarely better than the alternation's. So each iteration first takes one step of the
 * parametric method of {@link ExactSolver}: at a target {@code T'} it finds, by one Hungarian solve, the
 * assignment needing the least total bandwidth to finish by {@code T'}; if that fits the band its exact split is a
 * better plan, otherwise {@code T'} is a proven lower bound. The target is the Newton (Dinkelbach) point just
 * below the incumbent ({@link ExactSolver#nextTarget}), or the midpoint between bound and incumbent after a
 * Newton step that gained less than half the gap, so the gap at least halves every two iterations and usually
 * closes in two to five. The step comes first in the iteration because it is what closes the gap: when it does,
 * the iteration ends there and the Lagrangian parts (which only matter while the gap is open) are skipped.
 *
 * <p><b>Stopping.</b> Relative gap {@code (best - bound)/best <= gapTolerance}; the cut graph has no assignment
 * (the incumbent is optimal); {@code maxIterations}; 40 iterations without progress of either side; or the time
 * budget (then the best plan so far is returned and the gap says how far from proven it is).
 */
final class DualAscent {

    private DualAscent() {
    }

    record Result(Joint.Solution best, double lowerBound, int iterations, boolean timedOut) {
    }

    static Result solve(CostModel cm, PlanningLimits limits, long deadlineNanos) {
        int k = cm.k;
        int n = cm.n;
        // Start: equal-bandwidth CRUNCH, exact split, alternation.
        int[] start = Crunch.solve(cm, Joint.equalShares(cm)).blockToDevice();
        Joint.Solution best = Joint.alternate(cm, Joint.split(cm, start), 20);

        double[][] comp = new double[n][k];
        double[][] fullBand = new double[n][k];
        boolean[][] fits = new boolean[n][k];
        double[] fullRate = ExactSolver.fullBandRates(cm);
        for (int b = 0; b < n; b++) {
            for (int d = 0; d < k; d++) {
                fits[b][d] = cm.fits1(d, b);
                comp[b][d] = cm.compute1(d, b);
                // = comp + cm.upload(d, bits, B): the same division by the same rate, without its logarithm
                fullBand[b][d] = comp[b][d] + cm.bits[b] / fullRate[d];
            }
        }
        // A lower bound that needs no multipliers: P1 with the whole band for every device (no B_k can exceed B).
        double[] whole = new double[k];
        Arrays.fill(whole, cm.totalBandwidth);
        double lower = Crunch.solve(cm, whole).latency();

        double sBar = 0;
        for (int b = 0; b < n; b++) {
            sBar += cm.bits[b];
        }
        sBar /= n;
        double[] lambda = new double[k];
        double[] nu = new double[k];
        int involved = 0;
        for (int d = 0; d < k; d++) {
            if (best.hz()[d] > 0) {
                involved++;
            }
        }
        for (int d = 0; d < k; d++) {
            lambda[d] = best.hz()[d] > 0 ? 1.0 / involved : 0.0;
        }
        double theta = 1.0;
        int sinceProgress = 0;
        int it = 0;
        boolean timedOut = false;
        double[][] cost = new double[n][k];
        double[][] betaCost = new double[n][k];
        double[] a = new double[k];
        double[] m = new double[k];
        double[] sigmaMax = new double[k];
        double[] gLambda = new double[k];
        double[] gNu = new double[k];
        int[] lastAssign = null;
        boolean bisect = false;
        while (it < limits.maxIterations()) {
            if (gap(best.latency(), lower) <= limits.gapTolerance()) {
                break;
            }
            if (System.nanoTime() > deadlineNanos) {
                timedOut = true;
                break;
            }
            it++;
            boolean progress = false;
            // Parametric step (first: it is what closes the gap). At the Newton target just below the incumbent
            // (or, after a weak Newton step, at the midpoint between bound and incumbent), the assignment needing
            // the least total bandwidth either fits the band (a better plan) or proves the target a lower bound.
            double before = best.latency();
            double gapBefore = before - Math.max(lower, 0);
            double target = bisect ? 0.5 * (Math.max(lower, 0) + before)
                    : ExactSolver.nextTarget(lower, before, 0.5 * ExactSolver.TOLERANCE);
            int[] y = ExactSolver.leastBandwidth(cm, comp, fits, fullRate, betaCost, target);
            if (y != null) {
                Joint.Solution cand = Joint.split(cm, y);
                if (cand.latency() < best.latency() * (1 - 1e-12)) {
                    best = cand;
                    progress = true;
                }
                bisect = !bisect && before - Math.min(target, best.latency()) < 0.5 * gapBefore;
            } else {
                if (target > lower) {
                    lower = target;
                    progress = true;
                }
                bisect = false;
            }
            if (gap(best.latency(), lower) <= limits.gapTolerance()) {
                break;
            }
            double ub = best.latency();
            // Block sub-problem on the cut graph.
            Arrays.fill(sigmaMax, 0);
            for (int b = 0; b < n; b++) {
                for (int d = 0; d < k; d++) {
                    if (fits[b][d] && fullBand[b][d] < ub) {
                        cost[b][d] = lambda[d] * comp[b][d] + nu[d] * cm.bits[b] / sBar;
                        sigmaMax[d] = Math.max(sigmaMax[d], cm.bits[b]);
                    } else {
                        cost[b][d] = Double.POSITIVE_INFINITY;
                    }
                }
            }
            int[] x = Hungarian.solve(cost);
            if (x == null) {
                lower = ub;
                break;
            }
            double blockValue = Hungarian.value(cost, x);
            // Bandwidth sub-problem.
            for (int d = 0; d < k; d++) {
                a[d] = lambda[d] * sigmaMax[d];
                m[d] = nu[d] * sigmaMax[d] / sBar;
            }
            BandwidthSplit.Dual dual = BandwidthSplit.dualBound(a, m, cm.gamma, cm.totalBandwidth);
            double q = blockValue + dual.value();
            if (q > lower * (1 + 1e-12)) {
                lower = q;
                progress = true;
            }
            // Primal recovery (skipped when the assignment repeats).
            if (lastAssign == null || !Arrays.equals(lastAssign, x)) {
                lastAssign = x.clone();
                Joint.Solution cand = Joint.alternate(cm, Joint.split(cm, x), 5);
                if (cand.latency() < best.latency() * (1 - 1e-12)) {
                    best = cand;
                    progress = true;
                }
            }
            sinceProgress = progress ? 0 : sinceProgress + 1;
            if (sinceProgress >= 40) {
                break;
            }
            if (sinceProgress > 0 && sinceProgress % 8 == 0) {
                theta = Math.max(theta / 2, 1e-4);
            }
            // Subgradients: latency of each device in the relaxed solution; link residual in block units.
            Arrays.fill(gLambda, 0);
            Arrays.fill(gNu, 0);
            for (int b = 0; b < n; b++) {
                gLambda[x[b]] += comp[b][x[b]];
                gNu[x[b]] += cm.bits[b] / sBar;
            }
            double norm = 0;
            for (int d = 0; d < k; d++) {
                if (dual.selected()[d]) {
                    gLambda[d] += sigmaMax[d] / Math.max(Uplink.rate(dual.hz()[d], cm.gamma[d]), 1e-300);
                    gNu[d] -= sigmaMax[d] / sBar;
                }
                if (!Double.isFinite(gLambda[d])) {
                    gLambda[d] = ub * 10;
                }
                norm += gLambda[d] * gLambda[d] + (gNu[d] * ub) * (gNu[d] * ub);
            }
            if (norm <= 0) {
                break;
            }
            double step = theta * Math.max(best.latency() - q, 1e-9 * ub) / norm;
            for (int d = 0; d < k; d++) {
                lambda[d] += step * gLambda[d];
                nu[d] += step * ub * ub * gNu[d];
            }
            projectOnSimplex(lambda);
        }
        return new Result(best, Math.min(lower, best.latency()), it, timedOut);
    }

    static double gap(double best, double lower) {
        return best <= 0 ? 0 : Math.max(0, (best - lower) / best);
    }

    /** Euclidean projection onto {@code {lambda >= 0, sum lambda = 1}} (sort-based, O(K log K)). */
    static void projectOnSimplex(double[] v) {
        int n = v.length;
        double[] u = v.clone();
        Arrays.sort(u);
        double cum = 0;
        double t = 0;
        for (int i = n - 1; i >= 0; i--) {
            cum += u[i];
            double cand = (cum - 1) / (n - i);
            if (i == 0 || u[i - 1] <= cand) {
                t = cand;
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            v[i] = Math.max(0, v[i] - t);
        }
    }
}
