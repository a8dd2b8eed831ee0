package io.loladeft.finetune.cli;

import io.loladeft.finetune.profile.HostCalibration;
import io.loladeft.finetune.profile.Profiler;
import io.loladeft.finetune.train.OptimizerSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code profile}: the planner's measured profile (seconds and memory by depth) for a config and block kind,
 * written to {@code --profile-out} in the form {@code POST /api/v1/devices} takes.
 */
public final class ProfileCommand {

    static final Set<String> OPTIONS =
            ModelOptions.with("seq", "num-labels", "batch", "warmup", "iterations", "host-flops", "profile-out");

    /**
     * @param hostFlops  this host's FLOP/s, or 0 to calibrate it first
     * @param profileOut where to write the profile, or null
     */
    public record Settings(Profiler.Options options, double hostFlops, Path profileOut, boolean quiet) {}

    private ProfileCommand() {}

    static Settings settings(Args a) {
        int seq = a.integer("seq", 128);
        Profiler.Options o = new Profiler.Options(
                ModelOptions.source(a, a.integer("num-labels", 2), seq),
                ModelOptions.blockSpec(a),
                OptimizerSpec.parse(a.str("optimizer", "adamw"), 1e-5f, 0f),
                a.integer("batch", 8),
                seq,
                a.integer("warmup", 1),
                a.integer("iterations", 3));
        String out = a.str("profile-out", null);
        return new Settings(o, a.number("host-flops", 0), out == null ? null : Path.of(out), a.flag("quiet"));
    }

    /** Profiles every depth; the profile goes to {@code log} too unless quiet. */
    public static Profiler.Result run(Settings s, PrintStream log) {
        double flops = s.hostFlops() > 0 ? s.hostFlops() : HostCalibration.gemmFlops();
        Profiler.Result r = Profiler.run(s.options(), flops);
        if (s.profileOut() != null) {
            try {
                Files.writeString(s.profileOut(), r.profileJson(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + s.profileOut(), e);
            }
        }
        if (!s.quiet()) {
            log.println(r.profileJson());
        }
        return r;
    }
}
