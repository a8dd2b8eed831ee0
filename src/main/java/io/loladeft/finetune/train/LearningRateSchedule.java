package io.loladeft.finetune.train;

/**
 * Linear warm-up over the first {@code warmupRounds} rounds, then linear decay to zero at the end of
 * round {@code rounds} (the schedule of BERT and of transformers' {@code get_linear_schedule_with_warmup},
 * counted in rounds). A pure function of the round, so any worker computes a round's rate alone.
 */
public record LearningRateSchedule(float peak, int warmupRounds, int rounds) {

    public LearningRateSchedule {
        if (!(peak > 0) || rounds < 1 || warmupRounds < 0 || warmupRounds > rounds) {
            throw new IllegalArgumentException("need peak > 0, rounds >= 1 and 0 <= warm-up <= rounds");
        }
    }

    /** Warm-up over {@code fraction} of the rounds (rounded up). */
    public static LearningRateSchedule warmupFraction(float peak, double fraction, int rounds) {
        return new LearningRateSchedule(peak, (int) Math.min(rounds, Math.ceil(fraction * rounds)), rounds);
    }

    /** The rate of round {@code round} (1-based). */
    public float at(int round) {
        if (warmupRounds > 0 && round <= warmupRounds) {
            return peak * round / warmupRounds;
        }
        return (float) (peak * Math.max(0.0, (double) (rounds - round + 1) / Math.max(1, rounds - warmupRounds)));
    }
}
