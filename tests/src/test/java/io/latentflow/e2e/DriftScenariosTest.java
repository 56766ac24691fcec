package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.ServingModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The latent-drift monitor through the real encode job on the embedded stack, driven as a user drives it
 * ({@code ./latentflow demo --images ... --json}), on the shipped sample images at 64 px, one window per 32 images
 * of event time.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DriftScenariosTest {

    static final int RESOLUTION = 64;
    static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");

    @TempDir
    Path work;

    @Test
    void photosOnlyThroughTheDefaultModelRaiseNoAlertInManyWindows() throws Exception {
        // the photos twice, under two folder names: 480 images, 15 windows
        Path first = copyOf(SAMPLES.resolve("photos"), work.resolve("photos-a"));
        Path second = copyOf(SAMPLES.resolve("photos"), work.resolve("photos-b"));

        JsonNode summary = demo("--images", first.toString(), "--images", second.toString());

        assertThat(summary.get("latentsWritten").asInt()).isEqualTo(480);
        assertThat(summary.get("windows").asInt()).isGreaterThanOrEqualTo(15);
        assertThat(summary.get("alerts")).as("false positives").isEmpty();
    }

    /**
     * Per-channel marginals of the illustrations stay within the spread of photo windows (a window holds tiles of one
     * or two photos); what gives them away is their novelty against the reference photos. See DriftThresholds.
     */
    @Test
    void photosThenIllustrationsRaiseAnAlertWithinOneWindowOfTheSwitchNamingWhatMoved() throws Exception {
        JsonNode summary = demo("--images", SAMPLES.resolve("photos").toString(),
                "--images", SAMPLES.resolve("illustrations").toString());

        // 240 photos at 32 per window: the switch falls in window 7 or 8, depending on where the first image falls
        // in its minute
        JsonNode alerts = summary.get("alerts");
        assertThat(alerts).as("alerts: %s", alerts).isNotEmpty();
        JsonNode raised = alerts.get(0);
        assertThat(raised.get("windowIndex").asLong()).as("no alert on photos, one at most a window after the switch")
                .isBetween(7L, 9L);
        assertThat(raised.get("severity").asText()).isIn("WARNING", "CRITICAL");
        assertThat(raised.get("previousSeverity").asText()).isEqualTo("OK");
        assertThat(raised.get("driftScore").asDouble()).isGreaterThanOrEqualTo(1);
        List<String> moved = new ArrayList<>();
        raised.get("findings").forEach(f -> {
            moved.add(f.get("statistic").asText());
            assertThat(f.get("channel").asInt()).isBetween(-1, 7);
            assertThat(f.get("value").asDouble()).isGreaterThanOrEqualTo(f.get("threshold").asDouble());
        });
        assertThat(moved).as("what moved").contains("NOVELTY")
                .allSatisfy(statistic -> assertThat(statistic).isIn("MEAN_SHIFT", "VARIANCE_RATIO", "PSI", "NOVELTY"));
    }

    @Test
    void anUnboundedKlVaeTripsTheRangeAndScaleChecksByName() throws Exception {
        Path model = work.resolve("kl-vae");
        try (ServingModel klVae = ServingModel.untrained(AutoencoderConfig.klVaeF8C4(), 7, "untrained-kl-f8c4-seed7")) {
            klVae.save(model, "{}");
        }

        JsonNode summary = demo("--model", model.toString(), "--images", SAMPLES.resolve("photos").toString());

        assertThat(summary.get("modelVersion").asText()).isEqualTo("untrained-kl-f8c4-seed7");
        JsonNode alerts = summary.get("alerts");
        assertThat(alerts).as("alerts: %s", alerts).isNotEmpty();
        JsonNode raised = alerts.get(0);
        // the first window may hold fewer than 8 images (the stream starts anywhere in a minute) and then moves nothing
        assertThat(raised.get("windowIndex").asLong()).as("from the first full window on").isBetween(0L, 1L);
        assertThat(raised.get("severity").asText()).isIn("WARNING", "CRITICAL");
        List<String> statistics = new ArrayList<>();
        raised.get("findings").forEach(f -> statistics.add(f.get("statistic").asText()));
        assertThat(statistics).contains("OUT_OF_RANGE", "SCALE");
        assertThat(alerts).as("the pathologies hold in every window: the alert stays up").hasSize(1);
    }

    JsonNode demo(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("demo", "--resolution", String.valueOf(RESOLUTION),
                "--state-dir", work.resolve("state").toString(), "--json"));
        command.addAll(List.of(arguments));
        StringWriter out = new StringWriter();
        CommandLine cli = Latentflow.commandLine();
        cli.setOut(new PrintWriter(out));
        int exit = cli.execute(command.toArray(String[]::new));
        assertThat(exit).as("exit code; output: %s", out).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    static Path copyOf(Path folder, Path target) throws Exception {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }
}
