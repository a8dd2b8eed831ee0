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
 * <p><b>As published.</b> This is the paper's method alone, under its own name ({@code dual-ascent}): no parametric
 * step and no alternation (the default joint algorithm, {@code joint}, is the exact parametric method of
 * {@link ExactSolver}; docs/planning.md compares the two). Every iteration recovers a primal plan by fixing the
 * Hungarian assignment and solving the exact min-max split. The start is the equal-bandwidth CRUNCH assignment with
 * the exact split, so it is never worse than {@code equal-bandwidth}, and its latency is the incumbent that cuts
 * the graph. The reported lower bound is the method's own: the best dual value {@code q} (or the incumbent when the
 * cut graph has no assignment left, which proves it optimal), so its gap shows what the dual ascent proves.
 *
 * <p><b>Stopping.</b> Relative gap {@code (best - bound)/best <= gapTolerance}; the cut graph has no assignment
 * (the incumbent is optimal); {@code maxIterations}; 40 iterations without progress of either side; or the time
 * budget (then the best plan so far is returned and the gap says how far from proven it is).
 *
 * <p><b>Memory.</b> Two {@code N x K} matrices of doubles (the block sub-problem's costs); the caller refuses
 * sizes beyond {@link Planner#MAX_DENSE_PAIRS} pairs.
 */
final class DualAscent {

    private DualAscent() {}

    record Result(Joint.Solution best, double lowerBound, int iterations, boolean timedOut) {}

    static Result solve(CostModel cm, PlanningLimits limits, Deadline deadline) {
        int k = cm.k;
        int n = cm.n;
        // Start: equal-bandwidth CRUNCH with the exact split (the incumbent that cuts the graph).
        int[] start = Crunch.solve(cm, Joint.equalShares(cm), deadline).blockToDevice();
        Joint.Solution best = Joint.split(cm, start);
        double[] fullRate = ExactSolver.fullBandRates(cm);
        double lower = 0;
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
        double[] a = new double[k];
        double[] m = new double[k];
        double[] sigmaMax = new double[k];
        double[] gLambda = new double[k];
        double[] gNu = new double[k];
        int[] lastAssign = null;
        try {
            while (it < limits.maxIterations()) {
                if (gap(best.latency(), lower) <= limits.gapTolerance()) {
                    break;
                }
                deadline.check();
                it++;
                boolean progress = false;
                double ub = best.latency();
                // Block sub-problem on the cut graph: within memory and, with the whole band, below the incumbent.
                Arrays.fill(sigmaMax, 0);
                for (int b = 0; b < n; b++) {
                    deadline.check();
                    for (int d = 0; d < k; d++) {
                        double c = cm.compute1(d, b);
                        if (c + cm.bits[b] / fullRate[d] < ub && cm.fits1(d, b)) {
                            cost[b][d] = lambda[d] * c + nu[d] * cm.bits[b] / sBar;
                            sigmaMax[d] = Math.max(sigmaMax[d], cm.bits[b]);
                        } else {
                            cost[b][d] = Double.POSITIVE_INFINITY;
                        }
                    }
                }
                int[] x = Hungarian.solve(cost, deadline);
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
                // Primal recovery: the assignment with the exact split (skipped when the assignment repeats).
                if (lastAssign == null || !Arrays.equals(lastAssign, x)) {
                    lastAssign = x.clone();
                    Joint.Solution cand = Joint.split(cm, x);
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
                    gLambda[x[b]] += cm.compute1(x[b], b);
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
        } catch (Deadline.Expired e) {
            timedOut = true;
        }
        return new Result(best, Math.max(0, Math.min(lower, best.latency())), it, timedOut);
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
