package io.latentflow.cli.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.model.recipe.RecipeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Two tiny real runs through the real train command; the table must carry what each run's trainer measured. */
class AblationCommandTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private record Result(int exit, String out, String err) {
    }

    private Result ablation(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** Two tiles of each of three sample photos: two sources train, one is held out for validation. */
    private Path images() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("images"));
        for (String source : List.of("Autumn", "Kite", "Path")) {
            for (String tile : List.of("_s768_000.jpg", "_s768_001.jpg")) {
                Files.copy(PHOTOS.resolve(source + tile), dir.resolve(source + tile));
            }
        }
        return dir;
    }

    private String[] command(Path images, Path out, String steps) {
        return new String[] {"ablation", "--runs", "bounded-ae-f8c4,kl-vae-f8c4-no-ema", "--steps", steps, "--size", "32",
                "--batch", "2", "--threads", "1", "--images", images.toString(), "--out", out.toString()};
    }

    @Test
    void trainsEachRunThenTabulatesTheFiguresFromItsMetricsAndReusesFinishedRuns() throws Exception {
        Path images = images();
        Path out = temp.resolve("ablation");

        Result first = ablation(command(images, out, "3"));

        assertThat(first.exit()).as("stderr: %s", first.err()).isZero();
        String markdown = Files.readString(out.resolve("ablation.md"));
        JsonNode table = JSON.readTree(Files.readString(out.resolve("ablation.json")));
        assertThat(table.get("runs")).hasSize(2);
        List<String> rows = markdown.lines()
                .filter(line -> line.startsWith("| ") && !line.startsWith("| run") && !line.startsWith("| ---"))
                .toList();
        assertThat(rows).hasSize(2);
        String[][] expected = {{"bounded-ae-f8c4", "bounded-ae f8c4"}, {"kl-vae-f8c4-no-ema", "kl-vae f8c4, no EMA"}};
        for (int i = 0; i < expected.length; i++) {
            JsonNode metrics = JSON.readTree(Files.readString(out.resolve(expected[i][0]).resolve("metrics.json")));
            assertThat(metrics.get("training").get("steps").asLong()).isEqualTo(3);
            String row = rows.get(i);
            assertThat(row).startsWith("| " + expected[i][1] + " | ")
                    .contains(String.format(Locale.ROOT, "| %.2f | %.3f |", metrics.get("psnr").asDouble(),
                            metrics.get("ssim").asDouble()))
                    .contains(String.format(Locale.ROOT, "| %.2f |", metrics.get("scaleFactor").asDouble()))
                    .contains(String.format(Locale.ROOT, "| %d (%.1f) |", metrics.get("blackHolePositions").asLong(),
                            metrics.get("worstZ").asDouble()))
                    .contains(String.format(Locale.ROOT, "| %.2f / %.2f / %.2f | 3 |",
                            metrics.get("robustnessPsnr").get("0.05").asDouble(),
                            metrics.get("robustnessPsnr").get("0.1").asDouble(),
                            metrics.get("robustnessPsnr").get("0.2").asDouble()))
                    .endsWith(String.format(Locale.ROOT, "| %.1f %% / %.1f %% | %.2f / %.2f |",
                            100 * metrics.at("/spectrum/latentHighFrequency").asDouble(),
                            100 * metrics.at("/spectrum/imageHighFrequency").asDouble(),
                            metrics.at("/scaleEquivariance/2").asDouble(),
                            metrics.at("/scaleEquivariance/4").asDouble()));
            JsonNode run = table.get("runs").get(i);
            assertThat(run.get("name").asText()).isEqualTo(expected[i][0]);
            assertThat(run.get("psnr").asDouble()).isEqualTo(metrics.get("psnr").asDouble());
            assertThat(run.get("modelVersion").asText()).isEqualTo(metrics.get("modelVersion").asText());
        }
        assertThat(first.out()).contains(rows.get(0)).contains(rows.get(1));
        assertThat(RecipeConfig.read(out.resolve("kl-vae-f8c4-no-ema").resolve("recipe.json")).emaDecay())
                .as("--no-ema saves the trained weights themselves").isZero();

        Result again = ablation(command(images, out, "3"));

        assertThat(again.exit()).as("stderr: %s", again.err()).isZero();
        assertThat(again.out()).contains("bounded-ae-f8c4, seed 1: reusing").contains("kl-vae-f8c4-no-ema, seed 1: reusing")
                .doesNotContain("latentflow train");
        assertThat(Files.readString(out.resolve("ablation.md"))).isEqualTo(markdown);

        Path records = temp.resolve("records");
        for (String run : List.of("bounded-ae-f8c4", "kl-vae-f8c4-no-ema")) {
            Files.createDirectories(records.resolve(run));
            for (String file : List.of("manifest.json", "metrics.json")) {
                Files.copy(out.resolve(run).resolve(file), records.resolve(run).resolve(file));
            }
        }
        Result fromRecords = ablation(command(images, records, "3"));

        assertThat(fromRecords.exit()).as("stderr: %s", fromRecords.err()).isZero();
        assertThat(fromRecords.out()).contains("bounded-ae-f8c4, seed 1: tabulating the record")
                .doesNotContain("latentflow train").contains(rows.get(0)).contains(rows.get(1));
        assertThat(records.resolve("bounded-ae-f8c4")).as("nothing trained into a record").isDirectoryNotContaining(
                "glob:**.params");
        Files.writeString(records.resolve("bounded-ae-f8c4").resolve("metrics.json"), Files.readString(
                records.resolve("bounded-ae-f8c4").resolve("metrics.json")).replaceFirst("\"psnr\" *: *[0-9.]+",
                "\"psnr\":40.0"));
        Result editedRecord = ablation(command(images, records, "3"));

        assertThat(editedRecord.exit()).isEqualTo(2);
        assertThat(editedRecord.err()).contains("metrics.json").contains("differs from the run's manifest");

        Result otherBudget = ablation(command(images, out, "4"));

        assertThat(otherBudget.exit()).isEqualTo(2);
        assertThat(otherBudget.err()).contains("bounded-ae-f8c4").contains("trained with 3 steps")
                .contains("use another --out");

        Files.writeString(out.resolve("kl-vae-f8c4-no-ema").resolve("metrics.json"), "{}");
        Result tampered = ablation(command(images, out, "3"));

        assertThat(tampered.exit()).isEqualTo(2);
        assertThat(tampered.err()).contains("metrics.json");
    }

    @Test
    void atEqualComputeEachRunTrainsForTheMinutesAndRecordsTheStepsItDid() throws Exception {
        Path images = images();
        Path out = temp.resolve("compute");
        String[] command = {"ablation", "--runs", "bounded-ae-f8c8-scale-equivariance", "--minutes-per-run", "0.02",
                "--size", "32", "--batch", "2", "--threads", "1", "--images", images.toString(), "--out",
                out.toString(), "--json"};

        Result result = ablation(command);

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
        JsonNode run = JSON.readTree(result.out()).get("runs").get(0);
        JsonNode metrics = JSON.readTree(Files.readString(out.resolve("bounded-ae-f8c8-scale-equivariance")
                .resolve("metrics.json")));
        assertThat(run.get("budgetMinutes").asDouble()).isEqualTo(0.02);
        assertThat(run.get("budgetSteps").isNull()).isTrue();
        assertThat(run.get("steps").asLong()).isPositive().isEqualTo(metrics.at("/training/steps").asLong());
        assertThat(run.get("latentHighFrequency").asDouble()).isBetween(0.0, 1.0);
        assertThat(run.get("scaleEquivariance").has("2")).isTrue();
        assertThat(metrics.at("/training/command").asText()).contains("--minutes 0.02")
                .contains("--scale-equivariance 0.25").doesNotContain("--steps");
        assertThat(Files.readString(out.resolve("ablation.md"))).startsWith("# Ablation at equal compute")
                .contains(run.get("steps").asLong() + " steps in");

        command[4] = "0.03";
        Result otherBudget = ablation(command);

        assertThat(otherBudget.exit()).isEqualTo(2);
        assertThat(otherBudget.err()).contains("trained with 0.02 minutes").contains("not the 0.03 minutes");

        Result discriminator = ablation("ablation", "--runs", "bounded-ae-f8c8-discriminator", "--minutes-per-run",
                "1", "--out", temp.resolve("d").toString());

        assertThat(discriminator.exit()).isEqualTo(2);
        assertThat(discriminator.err()).contains("schedules its discriminator in steps").contains("--steps");
    }

    @Test
    void atEqualCpuTimeEverySeedOfEveryArmHasACurveAndTheArmsAnIntervalAgainstTheBaseline() throws Exception {
        Path images = images();
        Path out = temp.resolve("cpu");
        String[] command = {"ablation", "--runs", "kl-vae-f8c4,bounded-ae-f8c4", "--cpu-minutes-per-run", "0.01",
                "--seeds", "1,2", "--no-ema", "--size", "32", "--batch", "2", "--threads", "1", "--images",
                images.toString(), "--out", out.toString(), "--json"};

        Result result = ablation(command);

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
        JsonNode metrics = JSON.readTree(Files.readString(out.resolve("bounded-ae-f8c4-seed2").resolve("metrics.json")));
        JsonNode training = metrics.get("training");
        assertThat(training.get("clock").asText()).isEqualTo("thread-cpu");
        assertThat(training.get("seed").asLong()).isEqualTo(2);
        assertThat(training.get("command").asText()).contains("--cpu-minutes 0.01").contains("--no-ema");
        JsonNode curve = training.get("curve");
        assertThat(curve).hasSize(4);
        assertThat(curve.get(3).get("fraction").asDouble()).isEqualTo(1.0);
        assertThat(curve.get(3).get("step").asLong()).isEqualTo(training.get("steps").asLong());
        assertThat(curve.get(3).get("psnr").asDouble()).isEqualTo(metrics.get("psnr").asDouble());
        assertThat(curve.get(3).get("imageSsim")).hasSize(metrics.get("images").asInt());
        assertThat(curve.get(3).get("robustnessPsnrDenoised").has("0.2")).isTrue();
        assertThat(curve.get(0).get("minutes").asDouble()).as("a point at a quarter of the budget")
                .isBetween(0.0025, 0.01);

        JsonNode comparison = JSON.readTree(result.out()).get("equalCompute");
        assertThat(comparison.get("baseline").asText()).isEqualTo("kl-vae-f8c4");
        JsonNode bounded = comparison.get("arms").get(1);
        assertThat(bounded.get("seeds")).hasSize(2);
        JsonNode interval = bounded.get("psnrVsBaseline");
        assertThat(interval.get("low").asDouble()).isLessThanOrEqualTo(interval.get("mean").asDouble());
        assertThat(interval.get("high").asDouble()).isGreaterThanOrEqualTo(interval.get("mean").asDouble());
        assertThat(interval.get("mean").asDouble()).isCloseTo(bounded.get("curvePsnr").get(3).asDouble()
                - comparison.get("arms").get(0).get("curvePsnr").get(3).asDouble(), within(1e-6));
        assertThat(comparison.get("rankings")).hasSize(4);
        boolean swapped = !comparison.get("rankings").get(3).equals(comparison.get("rankings").get(2));
        assertThat(comparison.get("rankingChangedAtEnd").asBoolean() || !comparison.get("tiedSwapsAtEnd").isEmpty())
                .as("a swap is either a change or a tie").isEqualTo(swapped);
        assertThat(Files.readString(out.resolve("ablation.md"))).contains("vs baseline dB [95 % CI]")
                .contains("ranking at 0.75").contains("seed 2:");

        Result twoThreads = ablation("ablation", "--cpu-minutes-per-run", "1", "--threads", "2", "--out",
                temp.resolve("t").toString());

        assertThat(twoThreads.exit()).isEqualTo(2);
        assertThat(twoThreads.err()).contains("--threads 1");
    }

    @Test
    void anUnknownRunIsAUsageErrorListingTheRuns() throws Exception {
        Result result = ablation("ablation", "--runs", "bounded-ae-f8c16", "--out", temp.resolve("out").toString());

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("unknown run 'bounded-ae-f8c16'").contains("bounded-ae-f8c8-discriminator");
    }
}
