package io.loladeft.planning;

import java.util.Arrays;

/**
 * Bipartite matching of every row (block) to a distinct column (device) over the allowed pairs. The pairs are a
 * predicate, not a matrix, so a matching over {@code K x N} pairs needs {@code O(K + N)} memory.
 */
final class Matching {

    private Matching() {}

    /** Whether row {@code r} may take column {@code c}. */
    interface Pairs {
        boolean allowed(int r, int c);
    }

    /** A row-saturating matching using pairs with {@code cost <= tau}, or {@code null} if none exists. */
    static int[] maximum(double[][] cost, double tau) {
        return cost.length == 0
                ? new int[0]
                : maximum(cost.length, cost[0].length, (r, c) -> cost[r][c] <= tau, Deadline.NONE);
    }

    /** A row-saturating matching of {@code n} rows into {@code m} columns over the allowed pairs, or {@code null}. */
    static int[] maximum(int n, int m, Pairs pairs, Deadline deadline) {
        if (n == 0) {
            return new int[0];
        }
        int[] colOwner = new int[m];
        Arrays.fill(colOwner, -1);
        int[] rowToCol = new int[n];
        Arrays.fill(rowToCol, -1);
        int[] seen = new int[m];
        Arrays.fill(seen, -1);
        for (int r = 0; r < n; r++) {
            deadline.check();
            if (!augment(r, r, m, pairs, colOwner, rowToCol, seen)) {
                return null;
            }
        }
        return rowToCol;
    }

    private static boolean augment(int r, int stamp, int m, Pairs pairs, int[] colOwner, int[] rowToCol, int[] seen) {
        for (int c = 0; c < m; c++) {
            if (seen[c] != stamp && pairs.allowed(r, c)) {
                seen[c] = stamp;
                if (colOwner[c] < 0 || augment(colOwner[c], stamp, m, pairs, colOwner, rowToCol, seen)) {
                    colOwner[c] = r;
                    rowToCol[r] = c;
                    return true;
                }
            }
        }
        return false;
    }
}
