package io.loladeft.planning;

import java.util.Arrays;

/**
 * Min-sum rectangular assignment ({@code rows <= cols}, every row matched to a distinct column) by the Hungarian
 * method with potentials (shortest augmenting paths, Kuhn-Munkres / Jonker-Volgenant form): {@code O(rows^2 * cols)}.
 * A cost of {@code +infinity} marks a cut pair; if no assignment avoids every cut pair the method reports so.
 */
final class Hungarian {

    private Hungarian() {}

    /** The assignment: for each row its column; {@code null} when every complete assignment uses a cut pair. */
    static int[] solve(double[][] cost) {
        return solve(cost, Deadline.NONE);
    }

    /** As {@link #solve(double[][])}, checking the deadline before each row (at most {@code O(rows * cols)} apart). */
    static int[] solve(double[][] cost, Deadline deadline) {
        int n = cost.length;
        if (n == 0) {
            return new int[0];
        }
        int m = cost[0].length;
        if (n > m) {
            return null;
        }
        double[] u = new double[n + 1];
        double[] v = new double[m + 1];
        int[] p = new int[m + 1];
        int[] way = new int[m + 1];
        double[] minv = new double[m + 1];
        boolean[] used = new boolean[m + 1];
        for (int i = 1; i <= n; i++) {
            deadline.check();
            p[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = -1;
                double[] row = cost[i0 - 1];
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        double cur = row[j - 1] - u[i0] - v[j];
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
                    return null;
                }
                for (int j = 0; j <= m; j++) {
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
        }
        int[] rowToCol = new int[n];
        for (int j = 1; j <= m; j++) {
            if (p[j] != 0) {
                rowToCol[p[j] - 1] = j - 1;
            }
        }
        return rowToCol;
    }

    /** The total cost of an assignment. */
    static double value(double[][] cost, int[] rowToCol) {
        double s = 0;
        for (int i = 0; i < rowToCol.length; i++) {
            s += cost[i][rowToCol[i]];
        }
        return s;
    }
}
