package io.loladeft.planning.channel;

import java.util.SplittableRandom;

/**
 * The sampled gains of a fleet, round by round. Each device has its own generator, split in fleet order from one
 * seeded root, so a device's draws do not depend on how many draws the others took (or on the policies simulated):
 * the same seed gives every policy, and every run, the same channel.
 */
public final class GainDraws {

    private final ChannelModel channel;
    private final double[] meanDb;
    private final SplittableRandom[] rngs;
    private final double[] currentDb;
    private int round;

    private final long seed;

    public GainDraws(ChannelModel channel, double[] meanDb, long seed) {
        this.channel = channel;
        this.meanDb = meanDb.clone();
        this.seed = seed;
        rngs = new SplittableRandom[meanDb.length];
        currentDb = new double[meanDb.length];
        restart();
    }

    private void restart() {
        SplittableRandom root = new SplittableRandom(seed);
        for (int i = 0; i < rngs.length; i++) {
            rngs[i] = root.split();
        }
        round = 0;
    }

    /**
     * The gains (dB) of round {@code index} (0-based): the {@code index+1}-th result of {@link #next()} on a fresh
     * instance. Going forward draws on from where the last call stood; going back replays from the seed, so a caller
     * that asks round after round pays one draw per round, and a fresh instance pays {@code index} of them.
     */
    public double[] at(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("round index must be at least 0: " + index);
        }
        if (index < round - 1) {
            restart();
        }
        if (index == round - 1) {
            return currentDb.clone();
        }
        double[] g = null;
        while (round <= index) {
            g = next();
        }
        return g;
    }

    /** The gains (dB) of the next round: a fresh draw at the start of every coherence block, else the last one. */
    public double[] next() {
        if (round % channel.coherenceRounds() == 0) {
            for (int i = 0; i < rngs.length; i++) {
                currentDb[i] = meanDb[i] + 10 * Math.log10(channel.sample(rngs[i]));
            }
        }
        round++;
        return currentDb.clone();
    }
}
