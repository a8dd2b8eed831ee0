package io.loladeft.planning;

import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Seeded property checks in plain JUnit: {@code tries} instances drawn from one master seed, so a
 * run is repeatable and a failure names the instance seed that reproduces it.
 */
final class Seeds {

    private Seeds() {}

    static void check(long masterSeed, int tries, LongConsumer property) {
        SplittableRandom seeds = new SplittableRandom(masterSeed);
        for (int i = 0; i < tries; i++) {
            long seed = seeds.nextLong();
            try {
                property.accept(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(
                        "property failed on try " + (i + 1) + " of " + tries + ", instance seed " + seed
                                + "L (master seed " + masterSeed + "): " + e.getMessage(),
                        e);
            }
        }
    }
}
