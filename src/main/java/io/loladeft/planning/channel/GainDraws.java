package io.loladeft.planning.channel;

import java.util.SplittableRandom;

/**
 * The sampled gains of a fleet, round by round. Each device has its own generator, split in fleet order from one
 * seeded root, so a device's draws do not depend on how many draws the others took (or on the policies simulated):
 * the same seed gives every policy, and every run, the same channel.
 */
final class GainDraws {

    private final ChannelModel channel;
    private final double[] meanDb;
    private final SplittableRandom[] rngs;
    private final double[] currentDb;
    private int round;

    GainDraws(ChannelModel channel, double[] meanDb, long seed) {
        this.channel = channel;
        this.meanDb = meanDb.clone();
        SplittableRandom root = new SplittableRandom(seed);
        rngs = new SplittableRandom[meanDb.length];
        for (int i = 0; i < rngs.length; i++) {
            rngs[i] = root.split();
        }
        currentDb = new double[meanDb.length];
    }

    /** The gains (dB) of the next round: a fresh draw at the start of every coherence block, else the last one. */
    double[] next() {
        if (round % channel.coherenceRounds() == 0) {
            for (int i = 0; i < rngs.length; i++) {
                currentDb[i] = meanDb[i] + 10 * Math.log10(channel.sample(rngs[i]));
            }
        }
        round++;
        return currentDb.clone();
    }
}
