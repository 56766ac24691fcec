package io.latentflow.cli.train;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.JsonPrinter;
import io.latentflow.cli.Latentflow;
import io.latentflow.cli.common.Home;
import io.latentflow.model.eval.AblationRow;
import io.latentflow.model.eval.AblationTable;
import io.latentflow.model.eval.EqualComputeComparison;
import io.latentflow.model.store.InvalidModelDirectoryException;
import io.latentflow.model.store.ModelDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code latentflow ablation}: trains each run of the ablation with the same budget through {@code latentflow train}
 * itself, one after the other, into OUT/&lt;run&gt;/, then tabulates the validation figures each run's trainer wrote
 * to its metrics.json. The budget is a number of steps, or, for equal compute, minutes of training per run (each run
 * then does the steps it can, recorded in its metrics.json and the table). A run whose model directory exists and
 * verifies is reused (after checking it was trained with the same budget); one interrupted mid-training resumes from
 * its checkpoint; one that holds only its record ({@link AblationRecord}: manifest.json and metrics.json) is tabulated
 * as recorded.
 */
@Command(name = "ablation", mixinStandardHelpOptions = true,
        description = "Reproduce the ablation at an equal budget of steps or of minutes: train each run (reusing"
                + " finished ones, and tabulating runs kept as manifest.json and metrics.json alone), then write"
                + " OUT/ablation.md and OUT/ablation.json and print the table.")
public final class AblationCommand implements Callable<Integer> {

    private static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", split = ",", paramLabel = "RUN",
            description = "Runs to train and tabulate, in table order (default: all of them; with --minutes-per-run"
                    + " kl-vae-f8c4, bounded-ae-f8c8, bounded-ae-f8c8-no-perturbations,"
                    + " bounded-ae-f8c8-scale-equivariance, bounded-ae-f8c4).")
    List<String> runNames;

    @Option(names = "--steps", description = "Training steps of every run (default: 600 without --minutes-per-run;"
            + " with it, a cap besides the time).")
    Long stepOption;

    @Option(names = "--minutes-per-run", paramLabel = "M", description = "Every run trains for M wall-clock minutes"
            + " and does the steps it can in them (recorded per run); equal compute only on an idle machine.")
    Double minutesPerRun;

    @Option(names = "--cpu-minutes-per-run", paramLabel = "M", description = "Equal compute on a shared machine:"
            + " every run trains for M minutes of its training thread's CPU time (needs --threads 1) and does the steps"
            + " it can in them (recorded per run).")
    Double cpuMinutesPerRun;

    @Option(names = "--curve", split = ",", paramLabel = "FRACTION", description = "Evaluate every run at these"
            + " fractions of its budget too, off the budget (default with a time budget: 0.25,0.5,0.75; none with"
            + " --steps alone).")
    List<Double> curve;

    @Option(names = "--no-ema", description = "Every run saves its trained weights, not their moving average (the"
            + " average of a short run mismatches the KL-VAE's encoder and decoder).")
    boolean noEma;

    private long steps;

    @Option(names = "--size", defaultValue = "64", description = "Training crop size in pixels (default: 64).")
    int size;

    @Option(names = "--batch", defaultValue = "16", description = "Crops per step (default: 16).")
    int batch;

    @Option(names = {"--seeds", "--seed"}, split = ",", defaultValue = "1", paramLabel = "SEED",
            description = "Seeds: every run is trained once per seed, seed 1 into OUT/<run>/, seed N into"
                    + " OUT/<run>-seedN/ (default: 1).")
    List<Long> seeds;

    private long seed;

    @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads (default: 2).")
    int threads;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Training images, split by source photo (default: the shipped sample photos).")
    Path images;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder of the runs (OUT/<run>/, OUT/<run>-checkpoint/) and of ablation.md/.json.")
    Path out;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws IOException {
        try {
            return ablate();
        } catch (IllegalArgumentException | IllegalStateException | InvalidModelDirectoryException e) {
            spec.commandLine().getErr().println("ablation: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return USAGE;
        }
    }

    private int ablate() throws IOException {
        List<AblationRun> runs = selectedRuns();
        Path imageFolder = images != null ? images : Home.samples().resolve("photos");
        Files.createDirectories(out);
        PrintWriter log = log();
        List<AblationRow> rows = new ArrayList<>();
        for (long runSeed : seeds) {
            seed = runSeed;
            for (AblationRun run : runs) {
                Path modelDir = out.resolve(directoryName(run, seed));
                if (AblationRecord.isRecord(modelDir)) {
                    AblationRecord.verify(modelDir);
                    log.printf("ablation: %s, seed %d: tabulating the record in %s (no weights)%n", run.name(), seed,
                            modelDir);
                } else if (hasFiles(modelDir)) {
                    ModelDirectory.verify(modelDir);
                    log.printf("ablation: %s, seed %d: reusing %s (verified)%n", run.name(), seed, modelDir);
                } else {
                    int exit = train(run, imageFolder, modelDir);
                    if (exit != 0) {
                        spec.commandLine().getErr().printf("ablation: run %s, seed %d failed (train exited with %d);"
                                + " rerun the same command to resume it%n", run.name(), seed, exit);
                        spec.commandLine().getErr().flush();
                        return exit;
                    }
                }
                AblationRow row = AblationRow.read(run.name(), run.label(), modelDir);
                requireSameBudget(row, modelDir);
                rows.add(row);
            }
        }
        EqualComputeComparison comparison = rows.stream().allMatch(row -> !row.curve().isEmpty())
                ? new EqualComputeComparison(rows) : null;
        String table = AblationTable.markdown(rows);
        Files.writeString(out.resolve("ablation.md"), markdown(rows, table, comparison));
        String json = AblationTable.json(settings(imageFolder), rows, comparison == null ? null : comparison.json());
        Files.writeString(out.resolve("ablation.json"), json + System.lineSeparator());
        if (output.json()) {
            output.print(spec, JsonPrinter.parse(json));
            return 0;
        }
        log.println();
        log.print(table);
        if (comparison != null) {
            log.println();
            log.print(comparison.markdown());
        }
        log.printf("%nwritten: %s, %s%n", out.resolve("ablation.md"), out.resolve("ablation.json"));
        log.flush();
        return 0;
    }

    private List<AblationRun> selectedRuns() {
        Double timeBudget = timeBudget();
        steps = stepOption != null ? stepOption : timeBudget == null ? 600 : 0;
        if ((stepOption != null && steps < 1) || size < 1 || batch < 1) {
            throw new IllegalArgumentException("--steps " + steps + ", --size " + size + ", --batch " + batch
                    + ": use positive values");
        }
        if (minutesPerRun != null && cpuMinutesPerRun != null) {
            throw new IllegalArgumentException("--minutes-per-run and --cpu-minutes-per-run are two clocks for one"
                    + " budget: give one");
        }
        if (timeBudget != null && !(timeBudget > 0 && timeBudget < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("minutes per run " + timeBudget + ": use a positive number of"
                    + " minutes");
        }
        if (cpuMinutesPerRun != null && threads != 1) {
            throw new IllegalArgumentException("--cpu-minutes-per-run counts the training thread's CPU time, which"
                    + " is all of a run's compute only with one intra-op thread: add --threads 1");
        }
        if (seeds.isEmpty() || seeds.stream().distinct().count() != seeds.size()) {
            throw new IllegalArgumentException("--seeds " + seeds + ": give distinct seeds");
        }
        if (curve == null && timeBudget != null) {
            curve = List.of(0.25, 0.5, 0.75);
        }
        List<String> names = runNames != null && !runNames.isEmpty() ? runNames
                : timeBudget != null ? AblationRun.EQUAL_COMPUTE
                : AblationRun.ALL.stream().map(AblationRun::name).toList();
        List<AblationRun> runs = new ArrayList<>();
        for (String name : names) {
            AblationRun run = AblationRun.named(name.strip()).orElseThrow(() -> new IllegalArgumentException(
                    "unknown run '" + name + "' in --runs; the runs are: " + AblationRun.names()));
            if (run.discriminator() && steps == 0) {
                throw new IllegalArgumentException("run " + run.name() + " schedules its discriminator in steps,"
                        + " which --minutes-per-run alone does not fix: add --steps as well, or leave it out of"
                        + " --runs");
            }
            if (!runs.contains(run)) {
                runs.add(run);
            }
        }
        return runs;
    }

    /** The same code path as {@code latentflow train}: the train command itself, with its output and exit code. */
    private int train(AblationRun run, Path imageFolder, Path modelDir) {
        List<String> args = new ArrayList<>(List.of("train", "--images", imageFolder.toString(),
                "--size", String.valueOf(size), "--batch", String.valueOf(batch),
                "--seed", String.valueOf(seed), "--threads", String.valueOf(threads)));
        if (steps > 0) {
            args.addAll(List.of("--steps", String.valueOf(steps)));
        }
        if (minutesPerRun != null) {
            args.addAll(List.of("--minutes", String.valueOf(minutesPerRun)));
        }
        if (cpuMinutesPerRun != null) {
            args.addAll(List.of("--cpu-minutes", String.valueOf(cpuMinutesPerRun)));
        }
        if (curve != null && !curve.isEmpty()) {
            args.addAll(List.of("--curve", String.join(",", curve.stream().map(String::valueOf).toList())));
        }
        args.addAll(run.trainOptions(steps));
        if (noEma && !args.contains("--no-ema")) {
            args.add("--no-ema");
        }
        Path checkpoint = out.resolve(modelDir.getFileName() + "-checkpoint");
        if (Files.isRegularFile(checkpoint.resolve("checkpoint.json"))) {
            args.addAll(List.of("--resume", checkpoint.toString()));
        }
        args.addAll(List.of("--checkpoints", checkpoint.toString(), "--out", modelDir.toString()));
        PrintWriter log = log();
        log.printf("ablation: %s, seed %d: latentflow %s%n", run.name(), seed, String.join(" ", args));
        log.flush();
        return Latentflow.commandLine().setOut(log).setErr(spec.commandLine().getErr())
                .execute(args.toArray(String[]::new));
    }

    /** Progress and the table; on stderr beside --json, so that stdout is the one JSON object. */
    private PrintWriter log() {
        return output.json() ? spec.commandLine().getErr() : spec.commandLine().getOut();
    }

    /** A reused run trained with another budget would make the comparison unequal: refused, not tabulated. */
    private void requireSameBudget(AblationRow row, Path modelDir) {
        long rowSteps = row.budgetSteps() == null ? 0 : row.budgetSteps();
        String clock = cpuMinutesPerRun != null ? "thread-cpu" : "wall";
        boolean sameClock = row.budgetMinutes() == null || row.clock().equals(clock);
        if (rowSteps != steps || !sameMinutes(row.budgetMinutes(), timeBudget()) || !sameClock
                || row.cropSize() != size || row.batchSize() != batch || row.seed() != seed) {
            throw new IllegalArgumentException(String.format("run %s in %s was trained with %s, %d px, batch %d,"
                            + " seed %d, not the %s, %d px, batch %d, seed %d asked for; use another --out or"
                            + " the same settings", row.name(), modelDir,
                    budget(rowSteps, row.budgetMinutes(), row.clock().equals("thread-cpu")),
                    row.cropSize(), row.batchSize(), row.seed(), budget(steps, timeBudget(), cpuMinutesPerRun != null),
                    size, batch, seed));
        }
    }

    /** The minutes per run on whichever clock was asked for, or null for a step budget. */
    private Double timeBudget() {
        return cpuMinutesPerRun != null ? cpuMinutesPerRun : minutesPerRun;
    }

    /** Seed 1 keeps the directory an ablation of one seed always had. */
    private static String directoryName(AblationRun run, long seed) {
        return seed == 1 ? run.name() : run.name() + "-seed" + seed;
    }

    /** The trainer keeps a time budget in whole milliseconds: minutes that round to the same ones are the same. */
    private static boolean sameMinutes(Double recorded, Double asked) {
        return recorded == null || asked == null ? Objects.equals(recorded, asked)
                : Math.abs(recorded - asked) * 60_000 < 1;
    }

    private static String budget(long steps, Double minutes, boolean cpu) {
        String stepBudget = steps > 0 ? steps + " steps" : null;
        String timeBudget = minutes != null ? String.format(Locale.ROOT, cpu ? "%s CPU minutes" : "%s minutes",
                minutes) : null;
        return stepBudget == null ? timeBudget : timeBudget == null ? stepBudget : stepBudget + " or " + timeBudget;
    }

    private static boolean hasFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Files.exists(dir);
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }

    private Map<String, Object> settings(Path imageFolder) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("command", commandLine());
        settings.put("images", imageFolder.toString());
        settings.put("steps", steps > 0 ? steps : null);
        settings.put("minutesPerRun", minutesPerRun);
        settings.put("cpuMinutesPerRun", cpuMinutesPerRun);
        settings.put("curve", curve);
        settings.put("noEma", noEma);
        settings.put("seeds", seeds);
        settings.put("cropSize", size);
        settings.put("batchSize", batch);
        settings.put("threads", threads);
        return settings;
    }

    private String markdown(List<AblationRow> rows, String table, EqualComputeComparison comparison) {
        AblationRow first = rows.get(0);
        boolean sameValidation = rows.stream().allMatch(r -> r.validationSources().equals(first.validationSources())
                && r.validation().images() == first.validation().images());
        StringBuilder md = new StringBuilder(timeBudget() != null ? "# Ablation at equal compute\n\n"
                : "# Ablation at an equal budget\n\n");
        md.append(String.format("Each run trained for %s (%d px crops, batch %d, seeds %s, %d threads%s) on %d"
                + " training images from %s, and was evaluated at %d px on ",
                budget(steps, timeBudget(), cpuMinutesPerRun != null), size, batch, seedList(), threads,
                noEma ? ", no weight average" : "", first.trainImages(),
                images != null ? images : "samples/photos", first.validation().imageHeight()));
        md.append(sameValidation ? String.format("the same %d images of the unseen source photos %s.%n%n",
                first.validation().images(), String.join(", ", first.validationSources()))
                : "held-out source photos that differ between runs (see ablation.json).\n\n");
        md.append("```bash\n").append(commandLine()).append("\n```\n\n").append(table).append("\n");
        if (comparison != null) {
            md.append(comparison.markdown()).append("\n");
        }
        md.append(timeBudget() != null
                ? "Steps done per run in the time budget (they depend on the machine's load):\n\n"
                : "Training time per run (depends on the machine's load; the budget is in steps):\n\n");
        for (AblationRow row : rows) {
            md.append(String.format(Locale.ROOT, "- %s, seed %d: %d steps in %.1f %smin, %.2f s/step: `%s`%n",
                    row.label(), row.seed(), row.steps(), row.minutes(), row.clock().equals("thread-cpu") ? "CPU "
                            : "", row.secondsPerStep(), row.command()));
        }
        return md.toString();
    }

    private String seedList() {
        return String.join(",", seeds.stream().map(String::valueOf).toList());
    }

    private String commandLine() {
        StringBuilder line = new StringBuilder("./latentflow ablation");
        if (runNames != null && !runNames.isEmpty()) {
            line.append(" --runs ").append(String.join(",", runNames));
        }
        if (steps > 0) {
            line.append(" --steps ").append(steps);
        }
        if (minutesPerRun != null) {
            line.append(" --minutes-per-run ").append(minutesPerRun);
        }
        if (cpuMinutesPerRun != null) {
            line.append(" --cpu-minutes-per-run ").append(cpuMinutesPerRun);
        }
        if (curve != null && !curve.isEmpty()) {
            line.append(" --curve ").append(String.join(",", curve.stream().map(String::valueOf).toList()));
        }
        if (noEma) {
            line.append(" --no-ema");
        }
        line.append(" --size ").append(size).append(" --batch ").append(batch).append(" --seeds ").append(seedList());
        if (threads != 2) {
            line.append(" --threads ").append(threads);
        }
        if (images != null) {
            line.append(" --images ").append(images);
        }
        return line.append(" --out ").append(out).toString();
    }
}
