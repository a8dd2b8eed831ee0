package io.loladeft.planning;

import java.util.Arrays;

/**
 * The LP relaxation of one {@link RunSearch} feasibility test, solved exactly by a revised primal simplex: its
 * device duals are the best Lagrangian device prices (the Lagrangian sub-problem, a cheapest tiling, is a shortest
 * path, hence integral, so the Lagrangian dual equals this LP; with an odd block the path carries it as a state and
 * the duals' bound is at least this LP), and when its optimum is integral that optimum is the least-bandwidth tiling
 * and assignment itself.
 *
 * <p><b>Model.</b> One column per (item, device) pair that fits the device's memory, costing the pair's bandwidth at
 * the target over {@code B} (capped at {@link #CAP_COST}: a pair needing more than the band cannot be in a plan
 * within it, so any cost at or above 1 keeps the relaxation valid); each class position and the odd block covered
 * exactly once, each device used at most once (a slack per device, an artificial of cost {@link #BIG_M} per equality
 * row to start from). The rows and the columns do not depend on the target, only the costs do, so the last optimal
 * basis stays primal feasible and the next target starts from it: a few pivots per Newton step.
 *
 * <p><b>Trust.</b> Nothing here is trusted for correctness: the caller turns the duals into device prices and
 * proves its bound with its own cheapest-tiling computation (valid for any prices), and checks an integral optimum
 * as a plan before using it. A simplex that stalls (the iteration cap, a singular refactorization) only gives weaker
 * prices. Memory: a dense {@code rows x rows} basis inverse, {@code rows = positions + odd + K <= }{@link #MAX_ROWS}.
 */
final class RunLp {

    /** Most rows: the dense basis inverse is then at most 512 KiB (and a refactorization a few milliseconds). */
    static final int MAX_ROWS = 256;

    /** Most columns: their item, device and cost are then at most 4 MiB. */
    static final int MAX_COLUMNS = 1 << 18;

    /** Scaled cost of a pair needing more than the whole band (at least 1 keeps the relaxation valid). */
    static final double CAP_COST = 2;

    /** Cost of an artificial variable; far above any tiling's scaled cost (at most {@code CAP_COST} per item). */
    static final double BIG_M = 1e6;

    /** Reduced costs above {@code -EPS} count as non-negative; pivots below {@code PIVOT_EPS} are refused. */
    private static final double EPS = 1e-11;

    private static final double PIVOT_EPS = 1e-9;

    /** Pivots between refactorizations of the basis inverse (bounds the drift of the product-form updates). */
    private static final int REFACTOR_EVERY = 64;

    /** Consecutive degenerate pivots after which Bland's rule takes over (it cannot cycle). */
    private static final int DEGENERATE_STREAK = 50;

    final int rows;
    private final int positions;
    private final int oddRow;
    private final int deviceRow;
    private final int cols;
    /** Per item: first and last class position covered ({@code lo > hi}: none) and whether it holds the odd block. */
    private final int[] lo;

    private final int[] hi;
    private final boolean[] withOdd;
    /** Columns of item {@code i}: {@code itemStart[i]..itemStart[i+1]-1} (the columns come grouped by item). */
    private final int[] itemStart;
    /** Per structural column: its item and device. */
    private final int[] device;

    private final int[] item;
    private final double[] cost;
    /** Variables: structural {@code 0..cols-1}, device slacks {@code cols..cols+K-1}, artificials after. */
    private final int[] basis;

    private final boolean[] inBasis;
    private final double[][] binv;
    private final double[] xb;
    private final double[] y;
    private final double[] prefix;
    private final double[] d;
    private int pivotsSinceRefactor;

    /** Items as in the fields, columns as (item, device) pairs; {@code odd}: whether the model has an odd block. */
    RunLp(int positions, boolean odd, int devices, int[] lo, int[] hi, boolean[] withOdd, int[] item, int[] device) {
        this.positions = positions;
        this.oddRow = odd ? positions : -1;
        this.deviceRow = positions + (odd ? 1 : 0);
        this.rows = deviceRow + devices;
        this.cols = item.length;
        this.lo = lo;
        this.hi = hi;
        this.withOdd = withOdd;
        this.device = device;
        this.item = item;
        this.cost = new double[cols];
        this.itemStart = new int[lo.length + 1];
        for (int q = 0; q < cols; q++) {
            if (q > 0 && item[q] < item[q - 1]) {
                throw new IllegalArgumentException("columns must come grouped by item");
            }
            itemStart[item[q] + 1]++;
        }
        for (int i = 0; i < lo.length; i++) {
            itemStart[i + 1] += itemStart[i];
        }
        this.basis = new int[rows];
        this.inBasis = new boolean[cols + rows];
        this.binv = new double[rows][rows];
        this.xb = new double[rows];
        this.y = new double[rows];
        this.prefix = new double[positions + 1];
        this.d = new double[rows];
        for (int r = 0; r < rows; r++) {
            // Device rows start with their slack, equality rows with their artificial: both identity columns.
            basis[r] = r < deviceRow ? cols + devices + r : cols + (r - deviceRow);
            inBasis[basis[r]] = true;
            binv[r][r] = 1;
            xb[r] = 1;
        }
    }

    int columns() {
        return cols;
    }

    int deviceOf(int col) {
        return device[col];
    }

    int itemOf(int col) {
        return item[col];
    }

    /** Sets column {@code col}'s cost (bandwidth over {@code B}, +infinity allowed: capped). */
    void setCost(int col, double scaled) {
        cost[col] = Math.min(scaled, CAP_COST);
    }

    /**
     * Optimises from the current basis. Returns true at a proven optimum with every artificial at zero; false when the
     * LP is infeasible (an artificial stays positive), when the iteration cap ends it, or when the basis cannot be
     * refactorized; the duals are usable in every case (as prices, whose bound the caller proves).
     */
    boolean solve(Deadline deadline) {
        duals(); // a new target changes only the costs: the basis stays primal feasible
        int limit = 20 * rows + 2_000;
        int degenerate = 0;
        for (int iter = 0; iter < limit; iter++) {
            if ((iter & 15) == 0) {
                deadline.check();
            }
            if (pivotsSinceRefactor >= REFACTOR_EVERY && !refactor()) {
                return false;
            }
            boolean bland = degenerate >= DEGENERATE_STREAK;
            int q = entering(bland);
            if (q < 0) {
                return artificialsZero();
            }
            column(q);
            int r = leaving(bland);
            if (r < 0) {
                return false; // unbounded cannot happen (x <= 1 throughout); numerical trouble
            }
            double theta = xb[r] / d[r];
            degenerate = theta <= EPS ? degenerate + 1 : 0;
            pivot(q, r, theta);
        }
        return false;
    }

    /** The device prices {@code pi_k = -y_k >= 0}, in units of {@code B}. */
    void prices(double[] pi) {
        for (int k = 0; k < pi.length; k++) {
            pi[k] = Math.max(0, -y[deviceRow + k]);
        }
    }

    /** The objective at the current basis (scaled costs; artificials included). */
    double value() {
        double v = 0;
        for (int r = 0; r < rows; r++) {
            v += costOf(basis[r]) * xb[r];
        }
        return v;
    }

    /** The structural columns at 1 if the basic solution is integral, else null. */
    int[] integralColumns() {
        int[] out = new int[rows];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            double v = xb[r];
            boolean one = Math.abs(v - 1) <= 1e-9;
            if (!one && Math.abs(v) > 1e-9) {
                return null;
            }
            if (one && basis[r] < cols) {
                out[n++] = basis[r];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private boolean artificialsZero() {
        for (int r = 0; r < rows; r++) {
            if (basis[r] >= cols + (rows - deviceRow) && xb[r] > 1e-9) {
                return false;
            }
        }
        return true;
    }

    private double costOf(int var) {
        if (var < cols) {
            return cost[var];
        }
        return var < cols + (rows - deviceRow) ? 0 : BIG_M;
    }

    /** Duals {@code y = c_B B^-1}, from scratch. */
    private void duals() {
        Arrays.fill(y, 0);
        for (int i = 0; i < rows; i++) {
            double c = costOf(basis[i]);
            if (c != 0) {
                double[] row = binv[i];
                for (int r = 0; r < rows; r++) {
                    y[r] += c * row[r];
                }
            }
        }
        prefix[0] = 0;
        for (int p = 0; p < positions; p++) {
            prefix[p + 1] = prefix[p] + y[p];
        }
    }

    /**
     * Dantzig's most negative reduced cost, or Bland's first negative one; slacks too; artificials never re-enter.
     * Columns are grouped by item, so each item's share of the duals is taken once.
     */
    private int entering(boolean bland) {
        int best = -1;
        double min = -EPS;
        for (int it = 0; it < lo.length; it++) {
            int from = itemStart[it];
            int to = itemStart[it + 1];
            if (from == to) {
                continue;
            }
            double share = (lo[it] <= hi[it] ? prefix[hi[it] + 1] - prefix[lo[it]] : 0) + (withOdd[it] ? y[oddRow] : 0);
            for (int q = from; q < to; q++) {
                double rc = cost[q] - share - y[deviceRow + device[q]];
                if (rc < min && !inBasis[q]) {
                    best = q;
                    min = rc;
                    if (bland) {
                        return q;
                    }
                }
            }
        }
        int devices = rows - deviceRow;
        for (int k = 0; k < devices; k++) {
            int var = cols + k;
            if (!inBasis[var] && -y[deviceRow + k] < min) {
                best = var;
                min = -y[deviceRow + k];
                if (bland) {
                    return var;
                }
            }
        }
        return best;
    }

    /** {@code d = B^-1 a_q}. */
    private void column(int q) {
        Arrays.fill(d, 0);
        if (q >= cols) {
            int r = q < cols + (rows - deviceRow) ? deviceRow + (q - cols) : q - cols - (rows - deviceRow);
            for (int i = 0; i < rows; i++) {
                d[i] = binv[i][r];
            }
            return;
        }
        int dr = deviceRow + device[q];
        int it = item[q];
        for (int i = 0; i < rows; i++) {
            double[] row = binv[i];
            double s = row[dr];
            for (int p = lo[it]; p <= hi[it]; p++) {
                s += row[p];
            }
            if (withOdd[it]) {
                s += row[oddRow];
            }
            d[i] = s;
        }
    }

    /** The ratio test: smallest {@code x_B/d}, ties to the largest pivot (Bland: to the smallest variable). */
    private int leaving(boolean bland) {
        int r = -1;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < rows; i++) {
            if (d[i] > PIVOT_EPS) {
                double ratio = Math.max(0, xb[i]) / d[i];
                if (r < 0
                        || ratio < best - 1e-12
                        || (ratio <= best + 1e-12 && (bland ? basis[i] < basis[r] : d[i] > d[r]))) {
                    r = i;
                    best = Math.min(best, ratio);
                }
            }
        }
        return r;
    }

    private void pivot(int q, int r, double theta) {
        for (int i = 0; i < rows; i++) {
            if (i != r && d[i] != 0) {
                xb[i] -= theta * d[i];
            }
        }
        xb[r] = theta;
        double[] pr = binv[r];
        double inv = 1 / d[r];
        for (int c = 0; c < rows; c++) {
            pr[c] *= inv;
        }
        for (int i = 0; i < rows; i++) {
            double f = d[i];
            if (i != r && f != 0) {
                double[] row = binv[i];
                for (int c = 0; c < rows; c++) {
                    row[c] -= f * pr[c];
                }
            }
        }
        inBasis[basis[r]] = false;
        basis[r] = q;
        inBasis[q] = true;
        pivotsSinceRefactor++;
        duals();
    }

    /**
     * Recomputes the basis inverse (Gauss-Jordan with partial pivoting), the basic values and the duals. A singular
     * basis (numerical trouble) is replaced by the starting one; returns false then.
     */
    private boolean refactor() {
        pivotsSinceRefactor = 0;
        double[][] a = new double[rows][2 * rows];
        for (int i = 0; i < rows; i++) {
            int var = basis[i];
            if (var >= cols) {
                int r = var < cols + (rows - deviceRow) ? deviceRow + (var - cols) : var - cols - (rows - deviceRow);
                a[r][i] = 1;
            } else {
                a[deviceRow + device[var]][i] = 1;
                int it = item[var];
                for (int p = lo[it]; p <= hi[it]; p++) {
                    a[p][i] = 1;
                }
                if (withOdd[it]) {
                    a[oddRow][i] = 1;
                }
            }
            a[i][rows + i] = 1;
        }
        for (int c = 0; c < rows; c++) {
            int piv = c;
            for (int i = c + 1; i < rows; i++) {
                if (Math.abs(a[i][c]) > Math.abs(a[piv][c])) {
                    piv = i;
                }
            }
            if (Math.abs(a[piv][c]) < 1e-9) {
                restart();
                return false;
            }
            double[] t = a[piv];
            a[piv] = a[c];
            a[c] = t;
            double inv = 1 / t[c];
            for (int j = c; j < 2 * rows; j++) {
                t[j] *= inv;
            }
            for (int i = 0; i < rows; i++) {
                double f = a[i][c];
                if (i != c && f != 0) {
                    double[] row = a[i];
                    for (int j = c; j < 2 * rows; j++) {
                        row[j] -= f * t[j];
                    }
                }
            }
        }
        // a now holds [I | B^-1] with B's columns in basis order: row i of B^-1 belongs to basis[i].
        for (int i = 0; i < rows; i++) {
            System.arraycopy(a[i], rows, binv[i], 0, rows);
            double s = 0;
            for (int r = 0; r < rows; r++) {
                s += binv[i][r]; // every right-hand side is 1
            }
            xb[i] = s;
        }
        duals();
        return true;
    }

    private void restart() {
        Arrays.fill(inBasis, false);
        for (int r = 0; r < rows; r++) {
            Arrays.fill(binv[r], 0);
            basis[r] = r < deviceRow ? cols + (rows - deviceRow) + r : cols + (r - deviceRow);
            inBasis[basis[r]] = true;
            binv[r][r] = 1;
            xb[r] = 1;
        }
        duals();
    }
}
