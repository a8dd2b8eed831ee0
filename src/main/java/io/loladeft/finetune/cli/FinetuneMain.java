package io.loladeft.finetune.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Command-line entry point of the fine-tuning engine (see docs/finetune.md). Each command is a class of its own
 * whose {@code run} returns a typed report (tests call it with tiny settings); this class only picks the command,
 * checks its options, and writes its report as JSON to stdout's caller and to {@code --out}:
 * <ul>
 *   <li>{@code train}: {@link TrainCommand}</li>
 *   <li>{@code profile}: {@link ProfileCommand}</li>
 *   <li>{@code calibrate}: {@link CalibrateCommand}</li>
 *   <li>{@code memory}: {@link MemoryCommand}</li>
 *   <li>{@code phases}: {@link PhasesCommand}</li>
 *   <li>{@code depth-memory}: {@link DepthMemoryCommand}</li>
 * </ul>
 * {@link #main} exits non-zero on errors.
 */
public final class FinetuneMain {

    private static final Gson JSON = new GsonBuilder()
            .setPrettyPrinting()
            .serializeSpecialFloatingPointValues()
            .create();

    /** A command: the options it accepts and how it turns them into its JSON report. */
    private record Command(Set<String> options, Runner runner) {}

    @FunctionalInterface
    private interface Runner {
        String run(String[] argv, Args a, PrintStream log);
    }

    private static final Map<String, Command> COMMANDS = commands();

    private static Map<String, Command> commands() {
        Map<String, Command> c = new LinkedHashMap<>();
        c.put(
                "train",
                new Command(
                        TrainCommand.OPTIONS,
                        (argv, a, log) -> JSON.toJson(TrainCommand.run(TrainCommand.settings(a), log))));
        c.put(
                "profile",
                new Command(
                        ProfileCommand.OPTIONS,
                        (argv, a, log) -> ProfileCommand.run(ProfileCommand.settings(a), log)
                                .reportJson()));
        c.put(
                "calibrate",
                new Command(
                        CalibrateCommand.OPTIONS,
                        (argv, a, log) -> JSON.toJson(CalibrateCommand.run(CalibrateCommand.settings(a)))));
        c.put(
                "memory",
                new Command(
                        MemoryCommand.OPTIONS,
                        (argv, a, log) -> JSON.toJson(MemoryCommand.run(MemoryCommand.settings(a), log))));
        c.put(
                "phases",
                new Command(
                        PhasesCommand.OPTIONS,
                        (argv, a, log) -> JSON.toJson(PhasesCommand.run(PhasesCommand.settings(a), log))));
        c.put("depth-memory", new Command(DepthMemoryCommand.OPTIONS, FinetuneMain::depthMemory));
        return Map.copyOf(c);
    }

    private FinetuneMain() {}

    public static void main(String[] argv) {
        try {
            run(argv, System.out);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Runs {@code argv[0]} with the options that follow; returns the JSON report it also writes to {@code --out}. */
    public static String run(String[] argv, PrintStream log) {
        String names = "train, profile, calibrate, memory, phases, depth-memory";
        if (argv.length == 0) {
            throw new IllegalArgumentException(
                    "usage: FinetuneMain <command> [--option value ...], commands: " + names);
        }
        Command command = COMMANDS.get(argv[0]);
        if (command == null) {
            throw new IllegalArgumentException("unknown command '" + argv[0] + "' (" + names + ")");
        }
        Args a = new Args(argv, 1, ModelOptions.FLAGS);
        a.checkAllowed(command.options());
        String report = command.runner().run(argv, a, log);
        String out = a.str("out", null);
        a.checkAllUsed();
        if (out != null) {
            write(Path.of(out), report);
        }
        return report;
    }

    private static String depthMemory(String[] argv, Args a, PrintStream log) {
        if (a.flag("in-process")) {
            String line = DepthMemoryCommand.measureHere(a);
            log.println(line);
            return line;
        }
        DepthMemoryCommand.Settings s = DepthMemoryCommand.settings(argv, a);
        return DepthMemoryCommand.json(s, DepthMemoryCommand.run(s, log));
    }

    private static void write(Path p, String report) {
        try {
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            Files.writeString(p, report, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p, e);
        }
    }
}
