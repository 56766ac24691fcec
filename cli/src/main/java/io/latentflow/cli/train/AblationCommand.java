package io.latentflow.cli.train;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.JsonPrinter;
import io.latentflow.cli.Latentflow;
import io.latentflow.cli.common.Home;
import io.latentflow.model.eval.AblationRow;
import io.latentflow.model.eval.AblationTable;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code latentflow ablation}: trains each run of the ablation with the same step budget through
 * {@code latentflow train} itself, one after the other, into OUT/&lt;run&gt;/, then tabulates the validation figures
 * each run's trainer wrote to its metrics.json. A run whose model directory exists and verifies is reused (after
 * checking it was trained with the same budget); one interrupted mid-training resumes from its checkpoint.
 */
@Command(name = "ablation", mixinStandardHelpOptions = true,
        description = "Reproduce the ablation at an equal step budget: train each run (reusing finished ones), then"
                + " write OUT/ablation.md and OUT/ablation.json and print the table.")
public final class AblationCommand implements Callable<Integer> {

    private static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", split = ",", paramLabel = "RUN",
            description = "Runs to train and tabulate, in table order (default: all of kl-vae-f8c4, bounded-ae-f8c4,"
                    + " bounded-ae-f8c8, bounded-ae-f8c8-no-perturbations, bounded-ae-f8c8-discriminator).")
    List<String> runNames;

    @Option(names = "--steps", defaultValue = "600", description = "Training steps of every run (default: 600).")
    long steps;

    @Option(names = "--size", defaultValue = "64", description = "Training crop size in pixels (default: 64).")
    int size;

    @Option(names = "--batch", defaultValue = "16", description = "Crops per step (default: 16).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every run (default: 1).")
    long seed;

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
        for (AblationRun run : runs) {
            Path modelDir = out.resolve(run.name());
            if (hasFiles(modelDir)) {
                ModelDirectory.verify(modelDir);
                log.printf("ablation: %s: reusing %s (verified)%n", run.name(), modelDir);
            } else {
                int exit = train(run, imageFolder, modelDir);
                if (exit != 0) {
                    spec.commandLine().getErr().printf("ablation: run %s failed (train exited with %d); rerun the"
                            + " same command to resume it%n", run.name(), exit);
                    spec.commandLine().getErr().flush();
                    return exit;
                }
            }
            AblationRow row = AblationRow.read(run.name(), run.label(), modelDir);
            requireSameBudget(row, modelDir);
            rows.add(row);
        }
        String table = AblationTable.markdown(rows);
        Files.writeString(out.resolve("ablation.md"), markdown(rows, table));
        String json = AblationTable.json(settings(imageFolder), rows);
        Files.writeString(out.resolve("ablation.json"), json + System.lineSeparator());
        if (output.json()) {
            output.print(spec, JsonPrinter.parse(json));
            return 0;
        }
        log.println();
        log.print(table);
        log.printf("%nwritten: %s, %s%n", out.resolve("ablation.md"), out.resolve("ablation.json"));
        log.flush();
        return 0;
    }

    private List<AblationRun> selectedRuns() {
        if (steps < 1 || size < 1 || batch < 1) {
            throw new IllegalArgumentException("--steps " + steps + ", --size " + size + ", --batch " + batch
                    + ": use positive values");
        }
        if (runNames == null || runNames.isEmpty()) {
            return AblationRun.ALL;
        }
        List<AblationRun> runs = new ArrayList<>();
        for (String name : runNames) {
            AblationRun run = AblationRun.named(name.strip()).orElseThrow(() -> new IllegalArgumentException(
                    "unknown run '" + name + "' in --runs; the runs are: " + AblationRun.names()));
            if (!runs.contains(run)) {
                runs.add(run);
            }
        }
        return runs;
    }

    /** The same code path as {@code latentflow train}: the train command itself, with its output and exit code. */
    private int train(AblationRun run, Path imageFolder, Path modelDir) {
        List<String> args = new ArrayList<>(List.of("train", "--images", imageFolder.toString(),
                "--size", String.valueOf(size), "--batch", String.valueOf(batch), "--steps", String.valueOf(steps),
                "--seed", String.valueOf(seed), "--threads", String.valueOf(threads)));
        args.addAll(run.trainOptions(steps));
        Path checkpoint = out.resolve(run.name() + "-checkpoint");
        if (Files.isRegularFile(checkpoint.resolve("checkpoint.json"))) {
            args.addAll(List.of("--resume", checkpoint.toString()));
        }
        args.addAll(List.of("--checkpoints", checkpoint.toString(), "--out", modelDir.toString()));
        PrintWriter log = log();
        log.printf("ablation: %s: latentflow %s%n", run.name(), String.join(" ", args));
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
        if (row.steps() != steps || row.cropSize() != size || row.batchSize() != batch || row.seed() != seed) {
            throw new IllegalArgumentException(String.format("run %s in %s was trained with %d steps, %d px, batch %d,"
                            + " seed %d, not the %d steps, %d px, batch %d, seed %d asked for; use another --out or"
                            + " the same settings", row.name(), modelDir, row.steps(), row.cropSize(), row.batchSize(),
                    row.seed(), steps, size, batch, seed));
        }
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
        settings.put("steps", steps);
        settings.put("cropSize", size);
        settings.put("batchSize", batch);
        settings.put("seed", seed);
        settings.put("threads", threads);
        return settings;
    }

    private String markdown(List<AblationRow> rows, String table) {
        AblationRow first = rows.get(0);
        boolean sameValidation = rows.stream().allMatch(r -> r.validationSources().equals(first.validationSources())
                && r.validation().images() == first.validation().images());
        StringBuilder md = new StringBuilder("# Ablation at an equal budget\n\n");
        md.append(String.format("Each run trained for %d steps (%d px crops, batch %d, seed %d) on %d training images"
                + " from %s, and was evaluated at %d px on ", steps, size, batch, seed, first.trainImages(),
                images != null ? images : "samples/photos", first.validation().imageHeight()));
        md.append(sameValidation ? String.format("the same %d images of the unseen source photos %s.%n%n",
                first.validation().images(), String.join(", ", first.validationSources()))
                : "held-out source photos that differ between runs (see ablation.json).\n\n");
        md.append("```bash\n").append(commandLine()).append("\n```\n\n").append(table).append("\n");
        md.append("Training time per run (depends on the machine's load; the budget is in steps):\n\n");
        for (AblationRow row : rows) {
            md.append(String.format("- %s: %.1f min, %.2f s/step: `%s`%n", row.label(), row.minutes(),
                    row.secondsPerStep(), row.command()));
        }
        return md.toString();
    }

    private String commandLine() {
        StringBuilder line = new StringBuilder("./latentflow ablation");
        if (runNames != null && !runNames.isEmpty()) {
            line.append(" --runs ").append(String.join(",", runNames));
        }
        line.append(" --steps ").append(steps).append(" --size ").append(size).append(" --batch ").append(batch)
                .append(" --seed ").append(seed);
        if (threads != 2) {
            line.append(" --threads ").append(threads);
        }
        if (images != null) {
            line.append(" --images ").append(images);
        }
        return line.append(" --out ").append(out).toString();
    }
}
