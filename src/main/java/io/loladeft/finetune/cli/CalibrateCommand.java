package io.loladeft.finetune.cli;

import io.loladeft.finetune.profile.HostCalibration;
import java.util.Set;

/** {@code calibrate}: this host's FLOP/s on one GEMM shape, the median of {@code --reps} runs. */
public final class CalibrateCommand {

    static final Set<String> OPTIONS = Set.of("m", "k", "n", "reps", "out");

    /** The GEMM {@code (m x k) . (k x n)}, timed {@code reps} times. */
    public record Settings(int m, int k, int n, int reps) {}

    /** What {@code calibrate} reports. */
    public record Report(double hostFlops, int availableProcessors) {}

    private CalibrateCommand() {}

    static Settings settings(Args a) {
        return new Settings(a.integer("m", 1024), a.integer("k", 768), a.integer("n", 3072), a.integer("reps", 7));
    }

    public static Report run(Settings s) {
        return new Report(
                HostCalibration.gemmFlops(s.m(), s.k(), s.n(), s.reps()),
                Runtime.getRuntime().availableProcessors());
    }
}
