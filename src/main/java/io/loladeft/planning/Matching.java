package io.loladeft.planning;

import java.util.Arrays;

/** Bipartite matching of every row (block) to a distinct column (device) over the pairs with cost {@code <= tau}. */
final class Matching {

    private Matching() {
    }

    /** A row-saturating matching using pairs with {@code cost <= tau}, or {@code null} if none exists. */
    static int[] maximum(double[][] cost, double tau) {
        int n = cost.length;
        if (n == 0) {
            return new int[0];
        }
        int m = cost[0].length;
        int[] colOwner = new int[m];
        Arrays.fill(colOwner, -1);
        int[] rowToCol = new int[n];
        Arrays.fill(rowToCol, -1);
        int[] seen = new int[m];
        Arrays.fill(seen, -1);
        for (int r = 0; r < n; r++) {
            if (!augment(r, r, cost, tau, colOwner, rowToCol, seen)) {
                return null;
            }
        }
        return rowToCol;
    }

    private static boolean augment(int r, int stamp, double[][] cost, double tau, int[] colOwner, int[] rowToCol,
                                   int[] seen) {
        double[] row = cost[r];
        for (int c = 0; c < row.length; c++) {
            if (row[c] <= tau && seen[c] != stamp) {
                seen[c] = stamp;
                if (colOwner[c] < 0 || augment(colOwner[c], stamp, cost, tau, colOwner, rowToCol, seen)) {
                    colOwner[c] = r;
                    rowToCol[r] = c;
                    return true;
                }
            }
        }
        return false;
    }
}
