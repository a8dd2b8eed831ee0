package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RunLp} against OR-Tools' GLOP on random run-tiling LPs (positions, an odd block or not, devices, runs of at
 * most m, random costs, missing pairs), each re-solved from the previous basis with new costs as the Newton loop
 * does: the same optimum or the same infeasibility; the device duals as Lagrangian prices reach the LP optimum
 * (strong duality, checked with this test's own cheapest-tiling recursion; with an odd block the recursion, which
 * carries the odd block as a state, can only be higher); an integral optimum is a partition with distinct devices
 * and that cost.
 */
class RunLpTest {

    static {
        Loader.loadNativeLibraries();
    }

    /** GLOP's optimality and feasibility tolerances are about 1e-7 (it is a floating-point simplex too). */
    private static final double GLOP_TOLERANCE = 1e-7;

    /** Test-side item: first and last position ({@code lo > hi}: none), whether it holds the odd block. */
    private record Item(int lo, int hi, boolean odd) {}

    @Test
    void optimumDualsAndIntegralPlansMatchGlop() {
        Tally tally = new Tally();
        Seeds.check(12L, 400, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(8);
            boolean odd = r.nextBoolean();
            int k = 1 + r.nextInt(8);
            int m = 2 + r.nextInt(2);
            List<Item> items = new ArrayList<>();
            for (int e = 0; e < n; e++) {
                for (int c = 1; c <= Math.min(m, e + 1); c++) {
                    items.add(new Item(e - c + 1, e, false));
                    if (odd && c + 1 <= m) {
                        items.add(new Item(e - c + 1, e, true));
                    }
                }
            }
            if (odd) {
                items.add(new Item(0, -1, true));
            }
            int[] lo = items.stream().mapToInt(Item::lo).toArray();
            int[] hi = items.stream().mapToInt(Item::hi).toArray();
            boolean[] withOdd = new boolean[items.size()];
            List<int[]> pairs = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                withOdd[i] = items.get(i).odd();
                for (int d = 0; d < k; d++) {
                    if (r.nextInt(5) > 0) {
                        pairs.add(new int[] {i, d});
                    }
                }
            }
            int[] item = pairs.stream().mapToInt(p -> p[0]).toArray();
            int[] device = pairs.stream().mapToInt(p -> p[1]).toArray();
            RunLp lp = new RunLp(n, odd, k, lo, hi, withOdd, item, device);
            for (int round = 0; round < 3; round++) {
                double[] cost = new double[item.length];
                for (int q = 0; q < cost.length; q++) {
                    // +infinity (a pair past the band) is priced at the cap, as RunLp documents.
                    double c = r.nextInt(10) == 0 ? Double.POSITIVE_INFINITY : r.nextDouble() * 1.5;
                    lp.setCost(q, c);
                    cost[q] = Math.min(c, RunLp.CAP_COST);
                }
                boolean optimal = lp.solve(Deadline.NONE);
                double glop = glop(n, odd, k, items, item, device, cost);
                tally.count("feasible", !Double.isNaN(glop));
                if (Double.isNaN(glop)) {
                    assertFalse(optimal, "GLOP finds the LP infeasible");
                    continue;
                }
                assertTrue(optimal, "GLOP found an optimum " + glop);
                assertEquals(glop, lp.value(), GLOP_TOLERANCE);
                double[] pi = new double[k];
                lp.prices(pi);
                double bound = lagrangian(n, odd, items, item, device, cost, pi);
                if (odd) {
                    // The recursion carries the odd block as a state, which is tighter than the LP's odd row.
                    assertTrue(bound >= glop - GLOP_TOLERANCE, bound + " below the LP optimum " + glop);
                    tally.count("odd block: bound above the LP", bound > glop + GLOP_TOLERANCE);
                } else {
                    assertEquals(glop, bound, GLOP_TOLERANCE);
                }
                int[] ones = lp.integralColumns();
                tally.count("integral", ones != null);
                if (ones != null) {
                    assertPartition(n, odd, items, item, device, cost, ones, glop);
                }
            }
        });
        tally.print("RunLp vs GLOP");
        assertTrue(tally.of("feasible", true) > 500 && tally.of("feasible", false) > 20);
        assertTrue(tally.of("integral", false) > 0, "no fractional optimum met");
    }

    private static void assertPartition(
            int n, boolean odd, List<Item> items, int[] item, int[] device, double[] cost, int[] ones, double value) {
        int[] covered = new int[n + 1];
        boolean[] used =
                new boolean[device.length == 0 ? 0 : Arrays.stream(device).max().getAsInt() + 1];
        double total = 0;
        for (int q : ones) {
            Item it = items.get(item[q]);
            for (int p = it.lo(); p <= it.hi(); p++) {
                covered[p]++;
            }
            covered[n] += it.odd() ? 1 : 0;
            assertFalse(used[device[q]], "a device used twice");
            used[device[q]] = true;
            total += cost[q];
        }
        for (int p = 0; p < n; p++) {
            assertEquals(1, covered[p], "position " + p);
        }
        assertEquals(odd ? 1 : 0, covered[n]);
        assertEquals(value, total, 1e-9);
    }

    /** {@code min over tilings of sum over items of min_d (cost + pi_d) - sum pi}, by this test's own recursion. */
    private static double lagrangian(
            int n, boolean odd, List<Item> items, int[] item, int[] device, double[] cost, double[] pi) {
        double[] priced = new double[items.size()];
        Arrays.fill(priced, Double.POSITIVE_INFINITY);
        for (int q = 0; q < item.length; q++) {
            priced[item[q]] = Math.min(priced[item[q]], cost[q] + pi[device[q]]);
        }
        // best[p][o]: cheapest cover of positions 0..p-1, o = whether the odd block is covered.
        double[][] best = new double[n + 1][2];
        for (double[] b : best) {
            Arrays.fill(b, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).lo() > items.get(i).hi()) {
                best[0][1] = priced[i];
            }
        }
        for (int p = 1; p <= n; p++) {
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                if (it.hi() == p - 1) {
                    int before = it.lo();
                    if (it.odd()) {
                        best[p][1] = Math.min(best[p][1], best[before][0] + priced[i]);
                    } else {
                        best[p][0] = Math.min(best[p][0], best[before][0] + priced[i]);
                        best[p][1] = Math.min(best[p][1], best[before][1] + priced[i]);
                    }
                }
            }
        }
        return best[n][odd ? 1 : 0] - Arrays.stream(pi).sum();
    }

    /** GLOP's optimum of the same LP, or NaN if it is infeasible. */
    private static double glop(int n, boolean odd, int k, List<Item> items, int[] item, int[] device, double[] cost) {
        MPSolver s = MPSolver.createSolver("GLOP");
        try {
            MPConstraint[] cover = new MPConstraint[n + 1];
            for (int p = 0; p <= n; p++) {
                cover[p] = s.makeConstraint(p < n || odd ? 1 : 0, p < n || odd ? 1 : 0);
            }
            MPConstraint[] once = new MPConstraint[k];
            for (int d = 0; d < k; d++) {
                once[d] = s.makeConstraint(0, 1);
            }
            MPObjective obj = s.objective();
            for (int q = 0; q < item.length; q++) {
                MPVariable x = s.makeNumVar(0, 1, "x" + q);
                Item it = items.get(item[q]);
                for (int p = it.lo(); p <= it.hi(); p++) {
                    cover[p].setCoefficient(x, 1);
                }
                if (it.odd()) {
                    cover[n].setCoefficient(x, 1);
                }
                once[device[q]].setCoefficient(x, 1);
                obj.setCoefficient(x, cost[q]);
            }
            obj.setMinimization();
            MPSolver.ResultStatus status = s.solve();
            // A row with no column is infeasible unless its right-hand side is 0; GLOP may drop empty rows.
            for (int p = 0; p < n; p++) {
                boolean any = false;
                for (int q = 0; q < item.length && !any; q++) {
                    Item it = items.get(item[q]);
                    any = it.lo() <= p && p <= it.hi();
                }
                if (!any) {
                    return Double.NaN;
                }
            }
            assertNotNull(status);
            return status == MPSolver.ResultStatus.OPTIMAL ? obj.value() : Double.NaN;
        } finally {
            s.delete();
        }
    }
}
