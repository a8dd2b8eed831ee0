package io.loladeft.planning;

import java.util.Arrays;

/**
 * The exact optimum of P2 with several blocks per device ({@code m = maxBlocksPerDevice > 1}) on the structure the
 * contiguity theorem gives (docs/planning.md, "Several blocks per device").
 *
 * <p><b>Structure.</b> Let the <i>class</i> be the blocks of the most common size {@code P}, in depth order (ties by
 * index), and the <i>odd</i> block the one block of another size, if any. Some optimal plan gives every device a
 * contiguous run of class positions, plus possibly the odd block (exchange argument: moving a class block of a device
 * up the depth order in exchange for a shallower class block of another device leaves the first device's deepest
 * block, parameter sum, bits and count unchanged, and can only lower the second's deepest depth; every cost is
 * non-decreasing in the deepest depth, so no latency or memory rises). The argument needs equal sizes inside the
 * class; with a measured profile it also needs the odd block to be no smaller than {@code P} (a profile charges
 * {@code sumP - deepestP}, which would grow if a smaller odd block became a device's deepest). {@link #structure}
 * returns {@code null} when the theorem does not cover the problem.
 *
 * <p><b>Items.</b> An item is a run (deepest class position {@code e}, length {@code c <= m}), optionally with the
 * odd block ({@code c + 1 <= m}), or the odd block alone. A plan is a tiling of the class positions by runs, the odd
 * block alone or attached to one run, and distinct devices for the items.
 *
 * <p><b>Search.</b> As {@link ExactSolver#parametric}: {@code T} is achievable iff some tiling and injective item-to-
 * device assignment needs at most {@code B} in all, device {@code k} needing {@code beta_k(item, T)} (the least
 * bandwidth finishing the item by {@code T}). Feasibility is monotone in {@code T}; targets are Newton points just
 * below the incumbent, with bisection after a weak step. One feasibility test is a depth-first search over tilings,
 * deepest run first, holding an incremental Hungarian assignment of the items chosen so far (one augmenting path per
 * item, undone on backtrack); a branch is cut when its assignment's least cost plus a bound on the uncovered prefix
 * (the cheapest tiling with each item at its cheapest device, distinctness relaxed: a dynamic program) exceeds
 * {@code B}. Every cut is exact, so an exhausted search proves {@code T} infeasible: the reported lower bound is the
 * last such {@code T}, and the search stops once the gap is within the caller's tolerance ({@code exact}:
 * {@link ExactSolver#TOLERANCE}, i.e. optimal; {@code joint}: {@link PlanningLimits#gapTolerance()}).
 *
 * <p><b>Bounds.</b> All exact relaxations: the Hungarian value of the items so far (their least cost on distinct
 * devices) plus the cheapest tiling of the uncovered prefix with every item at its cheapest device; and a Lagrangian
 * bound with prices on the devices (each used at most once). Relaxing distinctness leaves a shortest path over
 * tilings, which is integral, so the best prices give the LP relaxation of the set-partitioning model (at least it
 * with an odd block, which the path carries as a state); they come from that LP's optimal duals ({@link RunLp}, a revised simplex warm-started from the previous target's
 * basis), or, past the LP's size caps, from {@link #LAGRANGE_ITERATIONS} subgradient steps. The bound is always
 * recomputed here from the prices (valid for any prices), and it proves most targets infeasible at the root. When
 * the LP's optimum is integral (on every benchmark instance so far) it is the least-bandwidth plan at the target and
 * no search runs. Otherwise the prices fix pairs: a pair whose cheapest priced tiling through it exceeds {@code B}
 * is in no plan within the band and is cut before the search. Pairs needing more than {@code B} alone are cut
 * always. Within one feasibility test, after the first leaf the search goes on for {@link #IMPROVE_NODES} nodes for a
 * leaf needing less bandwidth, a better Newton step.
 *
 * <p><b>Cost.</b> {@code I x K} doubles for the item compute times and the same for {@code beta} at the current
 * target, {@code I <= 2 N min(m, N) + 1} items; the caller keeps {@code I x K} within {@link #MAX_TABLE}; the LP only
 * when {@code I x K <= MAX_TABLE / 2} and within its own caps (at most 4.5 MiB), so 16 MiB in all. The search is
 * exponential in the worst case (the problem contains bin packing); it watches the deadline at every node and then
 * returns the best plan with the last proven bound.
 */
final class RunSearch {

    /** Most item-device pairs: two tables of this many doubles are 16 MiB. */
    static final long MAX_TABLE = 1L << 20;

    /**
     * Subgradient steps on the device prices per feasibility test (each costs one pass over the tables), used only
     * where the LP is past its caps.
     */
    static final int LAGRANGE_ITERATIONS = 60;

    /** Search nodes spent, after a feasibility test found its first leaf, on finding one that needs less bandwidth. */
    static final long IMPROVE_NODES = 2_000;

    private RunSearch() {}

    /** Class positions (block indices, shallowest first) and the odd block ({@code -1}: none). */
    record Structure(int[] order, int odd) {}

    /** The run structure if the contiguity theorem covers this problem ({@code m > 1}), else {@code null}. */
    static Structure structure(CostModel cm) {
        if (cm.maxBlocksPerDevice < 2 || cm.n == 0) {
            return null;
        }
        long p0 = cm.params[0];
        int same = 0;
        long other = -1;
        int otherCount = 0;
        for (int b = 0; b < cm.n; b++) {
            if (cm.params[b] == p0) {
                same++;
            } else if (other < 0 || cm.params[b] == other) {
                other = cm.params[b];
                otherCount++;
            } else {
                return null; // three sizes
            }
        }
        long classSize;
        if (otherCount == 0) {
            classSize = p0;
        } else if (otherCount == 1 && (same > 1 || p0 < other)) {
            classSize = p0;
        } else if (same == 1) {
            classSize = other;
        } else {
            return null; // two sizes with several blocks each
        }
        int odd = -1;
        Integer[] idx = new Integer[cm.n - (otherCount == 0 ? 0 : 1)];
        int j = 0;
        for (int b = 0; b < cm.n; b++) {
            if (cm.params[b] == classSize) {
                idx[j++] = b;
            } else {
                odd = b;
            }
        }
        for (int i = 1; i < idx.length; i++) {
            if (cm.grad[idx[i]] != cm.grad[idx[0]]) {
                return null; // the head sized like the class: equal params, unequal gradient FLOPs
            }
        }
        // The head (depth 0) is never the deepest of a set that holds a class block, so its size does not matter.
        if (odd >= 0 && cm.params[odd] < classSize && cm.depth[odd] > 0) {
            for (int d = 0; d < cm.k; d++) {
                if (cm.hasProfile(d)) {
                    return null; // a profile's sumP - deepestP could grow under the exchange
                }
            }
        }
        Arrays.sort(
                idx,
                (x, y) ->
                        cm.depth[x] != cm.depth[y] ? Integer.compare(cm.depth[x], cm.depth[y]) : Integer.compare(x, y));
        int[] order = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            order[i] = idx[i];
        }
        return new Structure(order, odd);
    }

    /** Items times devices: the size of each table the search keeps. */
    static long tableSize(CostModel cm, Structure s) {
        long runs = (long) s.order().length * Math.min(cm.maxBlocksPerDevice, s.order().length);
        return (runs * (s.odd() >= 0 ? 2 : 1) + 1) * cm.k;
    }

    /**
     * The search from {@code incumbent} (a valid plan, or latency +infinity with a null assignment) and a proven
     * lower bound {@code lo}. Past the deadline: the best plan so far, {@code timedOut} set.
     */
    static ExactSolver.Result solve(
            CostModel cm, Structure st, Joint.Solution incumbent, double lo, double tolerance, Deadline deadline) {
        return solve(cm, st, incumbent, lo, tolerance, deadline, Pricing.LP);
    }

    /**
     * Where the device prices come from. {@link #LP}: the LP's duals, and its integral optimum taken as the plan
     * (the planner's choice, within the LP's caps); {@link #LP_SEARCH}: the LP's duals, but every test decided by
     * reduced-cost fixing and the search; {@link #SUBGRADIENT}: subgradient steps (the planner's choice past the LP's
     * caps). The last two exist so that tests reach, on small instances, the paths that large ones take.
     */
    enum Pricing {
        LP,
        LP_SEARCH,
        SUBGRADIENT
    }

    static ExactSolver.Result solve(
            CostModel cm,
            Structure st,
            Joint.Solution incumbent,
            double lo,
            double tolerance,
            Deadline deadline,
            Pricing pricing) {
        Items items = new Items(cm, st, pricing);
        Joint.Solution best = incumbent;
        int steps = 0;
        try {
            if (best.latency() == Double.POSITIVE_INFINITY) {
                // No plan yet: any feasible tiling at an unbounded target (the cheapest-first dive) gives one.
                int[] a = items.feasibleAt(Double.MAX_VALUE, deadline);
                steps++;
                if (a == null) {
                    return new ExactSolver.Result(best, lo, steps, false);
                }
                best = Joint.split(cm, a);
            }
        } catch (Deadline.Expired e) {
            return new ExactSolver.Result(best, lo, steps, true);
        }
        // The one-block search's loop, on tilings of runs instead of single blocks.
        return ExactSolver.narrow(cm, best, lo, steps, tolerance, t -> items.feasibleAt(t, deadline));
    }

    /** The items, their costs, and the feasibility search. */
    private static final class Items {
        final CostModel cm;
        final int[] order;
        final int odd;
        final int n1;
        final int maxRun;
        final int variants;
        final int count;
        final int oddAlone;
        /** Per item: compute seconds on each device (+infinity where the memory does not fit), and bits. */
        final double[][] compute;

        final double[] bits;
        final int[] blocks;
        final double[] fullRate;
        final double[][] beta;
        final double[] minBeta;
        /** restBound[2 * pos + (oddPlaced ? 1 : 0)]: least cost of covering class positions 0..pos-1 (and the odd). */
        final double[] restBound;

        final Assign assign;
        final int[] chosen;
        /** Lagrangian device prices, each item's priced cost, and the priced prefix bounds (see {@link #lagrange}). */
        final double[] pi;

        final double[] lagItem;
        final double[] lagRest;
        final int[] lagChoice;
        double sumPi;
        /** The LP relaxation when small enough ({@link RunLp#MAX_ROWS}, {@link RunLp#MAX_COLUMNS}), else null. */
        final RunLp lp;
        /** Whether the LP ended optimal at the current target (then its integral optimum, if any, is a plan). */
        boolean lpOptimal;
        /** Per item: the cheapest priced tiling through it, without its own cost (reduced-cost fixing). */
        final double[] through;

        final double[] down;

        final Pricing pricing;

        Items(CostModel cm, Structure st, Pricing pricing) {
            this.pricing = pricing;
            this.cm = cm;
            this.order = st.order();
            this.odd = st.odd();
            this.n1 = order.length;
            this.maxRun = Math.min(cm.maxBlocksPerDevice, n1);
            this.variants = odd >= 0 ? 2 : 1;
            this.oddAlone = n1 * maxRun * variants;
            this.count = oddAlone + 1;
            this.compute = new double[count][];
            this.bits = new double[count];
            this.blocks = new int[count];
            this.beta = new double[count][];
            this.minBeta = new double[count];
            for (int e = 0; e < n1; e++) {
                CostModel.SetCost set = CostModel.SetCost.EMPTY;
                for (int c = 1; c <= Math.min(maxRun, e + 1); c++) {
                    set = cm.add(set, order[e - c + 1]);
                    define(index(e, c, 0), set, c);
                    if (odd >= 0 && c + 1 <= cm.maxBlocksPerDevice) {
                        define(index(e, c, 1), cm.add(set, odd), c + 1);
                    }
                }
            }
            if (odd >= 0) {
                define(oddAlone, cm.add(CostModel.SetCost.EMPTY, odd), 1);
            }
            this.fullRate = ExactSolver.fullBandRates(cm);
            this.restBound = new double[2 * (n1 + 1)];
            this.assign = new Assign(n1 + 2, cm.k);
            this.chosen = new int[n1 + 2];
            this.pi = new double[cm.k];
            this.lagItem = new double[count];
            this.lagRest = new double[2 * (n1 + 1)];
            this.lagChoice = new int[2 * (n1 + 1)];
            this.through = new double[count];
            this.down = new double[2 * (n1 + 1)];
            this.lp = buildLp();
        }

        /** The LP's columns: every (item, device) pair that fits the device's memory. */
        private RunLp buildLp() {
            int rows = n1 + (odd >= 0 ? 1 : 0) + cm.k;
            long cols = 0;
            for (int i = 0; i < count; i++) {
                if (compute[i] != null) {
                    for (int d = 0; d < cm.k; d++) {
                        cols += compute[i][d] < Double.POSITIVE_INFINITY ? 1 : 0;
                    }
                }
            }
            // Within the request's 16 MiB: the LP (at most 4.5 MiB) only beside tables of at most 8 MiB.
            if (pricing == Pricing.SUBGRADIENT
                    || rows > RunLp.MAX_ROWS
                    || cols > RunLp.MAX_COLUMNS
                    || (long) count * cm.k > MAX_TABLE / 2) {
                return null;
            }
            int[] lo = new int[count];
            int[] hi = new int[count];
            boolean[] withOdd = new boolean[count];
            for (int i = 0; i < count; i++) {
                if (i == oddAlone) {
                    lo[i] = 0;
                    hi[i] = -1;
                    withOdd[i] = true;
                } else {
                    int e = i / variants / maxRun;
                    int c = (i / variants) % maxRun + 1;
                    lo[i] = e - c + 1;
                    hi[i] = e;
                    withOdd[i] = i % variants == 1;
                }
            }
            int[] item = new int[(int) cols];
            int[] device = new int[(int) cols];
            int j = 0;
            for (int i = 0; i < count; i++) {
                if (compute[i] != null) {
                    for (int d = 0; d < cm.k; d++) {
                        if (compute[i][d] < Double.POSITIVE_INFINITY) {
                            item[j] = i;
                            device[j++] = d;
                        }
                    }
                }
            }
            return new RunLp(n1, odd >= 0, cm.k, lo, hi, withOdd, item, device);
        }

        int index(int e, int c, int withOdd) {
            return (e * maxRun + (c - 1)) * variants + withOdd;
        }

        private void define(int item, CostModel.SetCost set, int size) {
            double[] row = new double[cm.k];
            for (int d = 0; d < cm.k; d++) {
                row[d] = cm.memory(d, set) <= cm.memBudget[d] ? cm.compute(d, set) : Double.POSITIVE_INFINITY;
            }
            compute[item] = row;
            bits[item] = set.bits();
            blocks[item] = size;
            beta[item] = new double[cm.k];
        }

        /** Every item's least bandwidth on every device to finish by {@code t}, and the prefix bounds. */
        private void prepare(double t, Deadline deadline) {
            for (int i = 0; i < count; i++) {
                if (compute[i] == null) {
                    continue;
                }
                deadline.check();
                double[] c = compute[i];
                double[] row = beta[i];
                double s = bits[i];
                double min = Double.POSITIVE_INFINITY;
                for (int d = 0; d < cm.k; d++) {
                    double r = s / (t - c[d]);
                    row[d] = t > c[d] && r <= fullRate[d]
                            ? Uplink.bandwidthFor(r, cm.gamma[d])
                            : Double.POSITIVE_INFINITY;
                    if (row[d] > cm.totalBandwidth) {
                        row[d] = Double.POSITIVE_INFINITY; // no plan within the band uses this pair
                    }
                    min = Math.min(min, row[d]);
                }
                minBeta[i] = min;
            }
            restBounds();
            if (lp != null) {
                lpPrices(deadline);
            } else {
                lagrange(deadline);
            }
        }

        /** The prefix bounds with every item at its cheapest device ({@code restBound}). */
        private void restBounds() {
            for (int i = 0; i < count; i++) {
                if (compute[i] != null) {
                    double min = Double.POSITIVE_INFINITY;
                    for (double b : beta[i]) {
                        min = Math.min(min, b);
                    }
                    minBeta[i] = min;
                }
            }
            restBound[0] = odd >= 0 ? minBeta[oddAlone] : 0;
            restBound[1] = 0;
            for (int pos = 1; pos <= n1; pos++) {
                double free = Double.POSITIVE_INFINITY;
                double placed = Double.POSITIVE_INFINITY;
                for (int c = 1; c <= Math.min(maxRun, pos); c++) {
                    int plain = index(pos - 1, c, 0);
                    placed = Math.min(placed, minBeta[plain] + restBound[2 * (pos - c) + 1]);
                    free = Math.min(free, minBeta[plain] + restBound[2 * (pos - c)]);
                    if (odd >= 0 && compute[index(pos - 1, c, 1)] != null) {
                        free = Math.min(free, minBeta[index(pos - 1, c, 1)] + restBound[2 * (pos - c) + 1]);
                    }
                }
                restBound[2 * pos] = free;
                restBound[2 * pos + 1] = placed;
            }
        }

        /**
         * The device prices from the LP relaxation's optimal duals (the Lagrangian dual's optimum: no subgradient
         * steps needed), its bound then proven by {@link #pricedTiling} like any prices'.
         */
        private void lpPrices(Deadline deadline) {
            double scale = cm.totalBandwidth;
            for (int q = 0; q < lp.columns(); q++) {
                lp.setCost(q, beta[lp.itemOf(q)][lp.deviceOf(q)] / scale);
            }
            lpOptimal = lp.solve(deadline);
            lp.prices(pi);
            for (int d = 0; d < cm.k; d++) {
                pi[d] *= scale;
            }
            pricedTiling(pi, new int[count]);
            sumPi = sum(pi);
        }

        /** The LP's integral optimum as a block-to-device assignment within the band, checked here; else null. */
        private int[] lpPlan() {
            int[] cols = lp.integralColumns();
            if (cols == null) {
                return null;
            }
            int[] blockToDevice = new int[cm.n];
            Arrays.fill(blockToDevice, -1);
            boolean[] used = new boolean[cm.k];
            double total = 0;
            for (int q : cols) {
                int i = lp.itemOf(q);
                int dev = lp.deviceOf(q);
                if (used[dev]) {
                    return null;
                }
                used[dev] = true;
                total += beta[i][dev];
                for (int b : blocksOf(i)) {
                    if (blockToDevice[b] >= 0) {
                        return null;
                    }
                    blockToDevice[b] = dev;
                }
            }
            for (int b : blockToDevice) {
                if (b < 0) {
                    return null;
                }
            }
            return total <= cm.totalBandwidth ? blockToDevice : null;
        }

        /** The blocks of item {@code i}. */
        private int[] blocksOf(int i) {
            if (i == oddAlone) {
                return new int[] {odd};
            }
            int e = i / variants / maxRun;
            int c = (i / variants) % maxRun + 1;
            int[] out = new int[c + (i % variants)];
            for (int q = 0; q < c; q++) {
                out[q] = order[e - c + 1 + q];
            }
            if (i % variants == 1) {
                out[c] = odd;
            }
            return out;
        }

        /**
         * Reduced-cost fixing: a pair whose priced tiling, forced through it, exceeds the band minus nothing (the
         * Lagrangian bound of every plan that uses the pair) is in no plan within the band; it is cut (+infinity),
         * which tightens the Hungarian values and the prefix bounds of the search. Then the bounds are recomputed.
         */
        private void fix() {
            Arrays.fill(down, Double.POSITIVE_INFINITY);
            Arrays.fill(through, Double.POSITIVE_INFINITY);
            down[2 * n1 + (odd >= 0 ? 0 : 1)] = 0;
            for (int pos = n1; pos >= 0; pos--) {
                for (int pl = 0; pl <= 1; pl++) {
                    double from = down[2 * pos + pl];
                    if (from == Double.POSITIVE_INFINITY) {
                        continue;
                    }
                    for (int c = 1; c <= Math.min(maxRun, pos); c++) {
                        step(from, index(pos - 1, c, 0), 2 * (pos - c) + pl);
                        if (pl == 0 && odd >= 0 && compute[index(pos - 1, c, 1)] != null) {
                            step(from, index(pos - 1, c, 1), 2 * (pos - c) + 1);
                        }
                    }
                    if (pos == 0 && pl == 0 && odd >= 0) {
                        step(from, oddAlone, 1);
                    }
                }
            }
            double budget = cm.totalBandwidth;
            for (int i = 0; i < count; i++) {
                if (compute[i] == null) {
                    continue;
                }
                double base = through[i] - sumPi;
                double[] row = beta[i];
                for (int d = 0; d < cm.k; d++) {
                    if (base + row[d] + pi[d] > budget) {
                        row[d] = Double.POSITIVE_INFINITY;
                    }
                }
            }
            restBounds();
            pricedTiling(pi, new int[count]);
        }

        private void step(double from, int item, int to) {
            double via = from + lagItem[item];
            if (via < down[to]) {
                down[to] = via;
            }
            through[item] = Math.min(through[item], from + lagRest[to]);
        }

        /**
         * Lagrangian prices on the devices (each used at most once): for prices {@code pi_k >= 0}, every item costs
         * {@code min_k (beta_k + pi_k)}, devices may repeat, and the cheapest tiling minus {@code sum pi} is a lower
         * bound of the least total bandwidth (relaxing distinctness). Projected subgradient steps (the devices the
         * tiling uses twice get dearer), and the best prices found are kept: they give every node of the search an
         * O(1) bound, {@code sum of the path's priced items + lagRest[prefix] - sum pi}.
         */
        private void lagrange(Deadline deadline) {
            Arrays.fill(pi, 0);
            double[] bestPi = new double[cm.k];
            double bestL = Double.NEGATIVE_INFINITY;
            double theta = 1;
            int stall = 0;
            int[] usage = new int[cm.k];
            int[] argDev = new int[count];
            double budget = cm.totalBandwidth;
            for (int it = 0; it < LAGRANGE_ITERATIONS; it++) {
                deadline.check();
                double l = pricedTiling(pi, argDev) - sum(pi);
                if (l > bestL) {
                    bestL = l;
                    System.arraycopy(pi, 0, bestPi, 0, pi.length);
                    stall = 0;
                } else if (++stall >= 4) {
                    theta *= 0.5;
                    stall = 0;
                }
                if (!(l <= budget) || !(l > Double.NEGATIVE_INFINITY)) {
                    break; // proven infeasible (or nothing to price)
                }
                Arrays.fill(usage, 0);
                int state = 2 * n1 + (odd >= 0 ? 0 : 1);
                while (state > 1) {
                    int item = lagChoice[state];
                    usage[argDev[item]]++;
                    state = next(state, item);
                }
                if (state == 0 && odd >= 0) {
                    usage[argDev[oddAlone]]++;
                }
                double norm = 0;
                for (int d = 0; d < cm.k; d++) {
                    double g = usage[d] - 1;
                    if (pi[d] <= 0 && g < 0) {
                        g = 0;
                    }
                    norm += g * g;
                }
                if (norm == 0) {
                    break; // the priced tiling uses distinct devices: the relaxation is exact here
                }
                double step = theta * (Math.max(budget, bestL) * 1.02 - l) / norm;
                for (int d = 0; d < cm.k; d++) {
                    pi[d] = Math.max(0, pi[d] + step * (usage[d] - 1));
                }
            }
            System.arraycopy(bestPi, 0, pi, 0, pi.length);
            pricedTiling(pi, argDev);
            sumPi = sum(pi);
        }

        /** The state after covering the deepest part of {@code state}'s prefix with {@code item}. */
        private int next(int state, int item) {
            int pos = state / 2;
            boolean placed = (state & 1) == 1;
            if (item == oddAlone) {
                return 1;
            }
            int c = (item / variants) % maxRun + 1;
            return 2 * (pos - c) + (placed || item % variants == 1 ? 1 : 0);
        }

        /** Priced item costs into {@code lagItem}, the priced prefix bounds into {@code lagRest}; the full bound. */
        private double pricedTiling(double[] prices, int[] argDev) {
            for (int i = 0; i < count; i++) {
                if (compute[i] == null) {
                    continue;
                }
                double[] row = beta[i];
                double min = Double.POSITIVE_INFINITY;
                int arg = 0;
                for (int d = 0; d < row.length; d++) {
                    double c = row[d] + prices[d];
                    if (c < min) {
                        min = c;
                        arg = d;
                    }
                }
                lagItem[i] = min;
                argDev[i] = arg;
            }
            lagRest[0] = odd >= 0 ? lagItem[oddAlone] : 0;
            lagRest[1] = 0;
            for (int pos = 1; pos <= n1; pos++) {
                double free = Double.POSITIVE_INFINITY;
                double placed = Double.POSITIVE_INFINITY;
                int freeItem = -1;
                int placedItem = -1;
                for (int c = 1; c <= Math.min(maxRun, pos); c++) {
                    int plain = index(pos - 1, c, 0);
                    double a = lagItem[plain] + lagRest[2 * (pos - c) + 1];
                    if (a < placed || placedItem < 0) {
                        placed = a;
                        placedItem = plain;
                    }
                    double b = lagItem[plain] + lagRest[2 * (pos - c)];
                    if (b < free || freeItem < 0) {
                        free = b;
                        freeItem = plain;
                    }
                    if (odd >= 0 && compute[index(pos - 1, c, 1)] != null) {
                        int with = index(pos - 1, c, 1);
                        double w = lagItem[with] + lagRest[2 * (pos - c) + 1];
                        if (w < free) {
                            free = w;
                            freeItem = with;
                        }
                    }
                }
                lagRest[2 * pos] = free;
                lagRest[2 * pos + 1] = placed;
                lagChoice[2 * pos] = freeItem;
                lagChoice[2 * pos + 1] = placedItem;
            }
            return lagRest[2 * n1 + (odd >= 0 ? 0 : 1)];
        }

        private static double sum(double[] a) {
            double s = 0;
            for (double x : a) {
                s += x;
            }
            return s;
        }

        /** A block-to-device assignment that finishes by {@code t} within the band, or {@code null} if none does. */
        int[] feasibleAt(double t, Deadline deadline) {
            prepare(t, deadline);
            assign.reset();
            if (!(restBound[2 * n1 + (odd >= 0 ? 0 : 1)] <= cm.totalBandwidth)
                    || !(lagRest[2 * n1 + (odd >= 0 ? 0 : 1)] - sumPi <= cm.totalBandwidth)) {
                return null;
            }
            if (lp != null) {
                if (lpOptimal && pricing == Pricing.LP) {
                    int[] a = lpPlan();
                    if (a != null) {
                        return a; // the LP's integral optimum: the least-bandwidth plan at t
                    }
                }
                fix();
                if (!(restBound[2 * n1 + (odd >= 0 ? 0 : 1)] <= cm.totalBandwidth)) {
                    return null;
                }
            }
            cap = cm.totalBandwidth;
            found = null;
            extraNodes = -1;
            dive(n1, odd < 0, 0, 0, deadline);
            return found;
        }

        /** The assignment the search holds now, as block to device. */
        private int[] current() {
            int[] blockToDevice = new int[cm.n];
            for (int row = 0; row < assign.rows; row++) {
                int item = chosen[row];
                int dev = assign.columnOf(row);
                if (item == oddAlone) {
                    blockToDevice[odd] = dev;
                    continue;
                }
                int withOdd = item % variants;
                int rest = item / variants;
                int e = rest / maxRun;
                int c = rest % maxRun + 1;
                for (int q = e - c + 1; q <= e; q++) {
                    blockToDevice[order[q]] = dev;
                }
                if (withOdd == 1) {
                    blockToDevice[odd] = dev;
                }
            }
            return blockToDevice;
        }

        /** Covers class positions {@code 0..pos-1} (and the odd block unless placed) from the current assignment. */
        /** The least total bandwidth still of interest: {@code B}, then just below the best leaf found. */
        private double cap;

        private int[] found;
        /** Nodes left to improve on the first leaf (-1 before it); 0 ends the search. */
        private long extraNodes;

        /**
         * Depth-first search; a leaf within the band is kept and the search goes on for at most
         * {@link #IMPROVE_NODES} more nodes looking for a leaf needing less bandwidth (a better Newton step: the least
         * bandwidth assignment at {@code t} is where Newton's method on {@code W(T) = B} goes). Returns true to stop.
         */
        private boolean dive(int pos, boolean oddPlaced, int depth, double lagPath, Deadline deadline) {
            deadline.check();
            if (extraNodes > 0 && --extraNodes == 0) {
                return true;
            }
            if (pos == 0 && oddPlaced) {
                found = current();
                cap = assign.value * (1 - 1e-12);
                if (extraNodes < 0) {
                    extraNodes = IMPROVE_NODES;
                }
                return false;
            }
            double budget = cap;
            double value = assign.value;
            // The children, cheapest bound first.
            int[] kids = new int[2 * maxRun + 1];
            double[] keys = new double[kids.length];
            int nk = 0;
            if (pos == 0) {
                kids[nk] = oddAlone;
                keys[nk++] = Math.max(value + minBeta[oddAlone], lagPath + lagItem[oddAlone] - sumPi);
            } else {
                for (int c = 1; c <= Math.min(maxRun, pos); c++) {
                    int plain = index(pos - 1, c, 0);
                    kids[nk] = plain;
                    int st = 2 * (pos - c) + (oddPlaced ? 1 : 0);
                    keys[nk++] = Math.max(
                            value + minBeta[plain] + restBound[st], lagPath + lagItem[plain] + lagRest[st] - sumPi);
                    if (!oddPlaced && compute[index(pos - 1, c, 1)] != null) {
                        int with = index(pos - 1, c, 1);
                        kids[nk] = with;
                        keys[nk++] = Math.max(
                                value + minBeta[with] + restBound[2 * (pos - c) + 1],
                                lagPath + lagItem[with] + lagRest[2 * (pos - c) + 1] - sumPi);
                    }
                }
            }
            sortByKey(kids, keys, nk);
            for (int i = 0; i < nk && keys[i] <= budget; i++) {
                int item = kids[i];
                int next;
                boolean nextPlaced;
                if (item == oddAlone) {
                    next = 0;
                    nextPlaced = true;
                } else {
                    int c = (item / variants) % maxRun + 1;
                    next = pos - c;
                    nextPlaced = oddPlaced || item % variants == 1;
                }
                assign.save(depth);
                double v = assign.addRow(beta[item]);
                chosen[depth] = item;
                if (v + restBound[2 * next + (nextPlaced ? 1 : 0)] <= budget
                        && dive(next, nextPlaced, depth + 1, lagPath + lagItem[item], deadline)) {
                    return true;
                }
                assign.restore(depth);
            }
            return false;
        }

        private static void sortByKey(int[] kids, double[] keys, int n) {
            for (int i = 1; i < n; i++) {
                int k = kids[i];
                double v = keys[i];
                int j = i - 1;
                while (j >= 0 && keys[j] > v) {
                    kids[j + 1] = kids[j];
                    keys[j + 1] = keys[j];
                    j--;
                }
                kids[j + 1] = k;
                keys[j + 1] = v;
            }
        }
    }

    /**
     * Min-sum assignment of rows to distinct columns, one row at a time (the shortest-augmenting-path Hungarian
     * method of {@link Hungarian}, whose state after each row is optimal for the rows so far), with the state saved
     * and restored per search depth. A row that cannot be placed makes the value +infinity until restored.
     */
    static final class Assign {
        final int cols;
        int rows;
        double value;
        final double[][] cost;
        final double[] u;
        final double[] v;
        final int[] p;
        final int[] way;
        final double[] minv;
        final boolean[] used;
        final double[][] savedU;
        final double[][] savedV;
        final int[][] savedP;
        final int[] savedRows;
        final double[] savedValue;

        Assign(int maxRows, int cols) {
            this.cols = cols;
            this.cost = new double[maxRows + 1][];
            this.u = new double[maxRows + 1];
            this.v = new double[cols + 1];
            this.p = new int[cols + 1];
            this.way = new int[cols + 1];
            this.minv = new double[cols + 1];
            this.used = new boolean[cols + 1];
            this.savedU = new double[maxRows + 1][];
            this.savedV = new double[maxRows + 1][];
            this.savedP = new int[maxRows + 1][];
            this.savedRows = new int[maxRows + 1];
            this.savedValue = new double[maxRows + 1];
        }

        void reset() {
            rows = 0;
            value = 0;
            Arrays.fill(u, 0);
            Arrays.fill(v, 0);
            Arrays.fill(p, 0);
        }

        void save(int depth) {
            if (savedV[depth] == null) {
                savedU[depth] = new double[u.length];
                savedV[depth] = new double[v.length];
                savedP[depth] = new int[p.length];
            }
            System.arraycopy(u, 0, savedU[depth], 0, rows + 1);
            System.arraycopy(v, 0, savedV[depth], 0, v.length);
            System.arraycopy(p, 0, savedP[depth], 0, p.length);
            savedRows[depth] = rows;
            savedValue[depth] = value;
        }

        void restore(int depth) {
            rows = savedRows[depth];
            value = savedValue[depth];
            System.arraycopy(savedU[depth], 0, u, 0, rows + 1);
            System.arraycopy(savedV[depth], 0, v, 0, v.length);
            System.arraycopy(savedP[depth], 0, p, 0, p.length);
        }

        /** Adds a row (costs per column, +infinity for a cut pair); returns the new least total, or +infinity. */
        double addRow(double[] row) {
            int i = ++rows;
            cost[i] = row;
            u[i] = 0;
            if (rows > cols) {
                value = Double.POSITIVE_INFINITY;
                return value;
            }
            p[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = -1;
                double[] r = cost[i0];
                for (int j = 1; j <= cols; j++) {
                    if (!used[j]) {
                        double cur = r[j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                if (j1 < 0 || delta == Double.POSITIVE_INFINITY) {
                    value = Double.POSITIVE_INFINITY;
                    return value;
                }
                for (int j = 0; j <= cols; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
            double s = 0;
            for (int j = 1; j <= cols; j++) {
                if (p[j] != 0) {
                    s += cost[p[j]][j - 1];
                }
            }
            value = s;
            return s;
        }

        /** The column of row {@code row} (0-based). */
        int columnOf(int row) {
            for (int j = 1; j <= cols; j++) {
                if (p[j] == row + 1) {
                    return j - 1;
                }
            }
            throw new IllegalStateException("row " + row + " unassigned");
        }
    }
}
