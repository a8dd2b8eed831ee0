package io.loladeft.planning;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a property run covered (how many instances were feasible, memory-tight, at which gap), so
 * a test can insist the interesting cases really occurred and print the distribution.
 */
final class Tally {

    private final Map<String, Map<String, Integer>> counts = new TreeMap<>();

    void count(String label, Object value) {
        counts.computeIfAbsent(label, l -> new TreeMap<>()).merge(String.valueOf(value), 1, Integer::sum);
    }

    int of(String label, Object value) {
        return counts.getOrDefault(label, Map.of()).getOrDefault(String.valueOf(value), 0);
    }

    /** Prints the distribution (it lands in the Surefire report) and returns this for assertions. */
    Tally print(String title) {
        System.out.println(title + ": " + counts);
        return this;
    }
}
