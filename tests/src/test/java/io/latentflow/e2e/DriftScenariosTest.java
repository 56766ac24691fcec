package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.ServingModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The latent-drift monitor through the real encode job on the embedded stack, driven as a user drives it
 * ({@code ./latentflow demo --images ... --json}), one window per 32 images of event time.
 *
 * <p>The drift scenarios stream photos the monitor's reference never saw: at 256 px the shipped default model's
 * stored profile is made of its 22 training sources only, and {@code samples/unseen-photos} holds tiles of the 5
 * sources it was validated on. The warning levels were read from windows of unseen photos in leave-sources-out
 * splits ({@code ./latentflow bench drift}, README), never from these streams' alerts.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DriftScenariosTest {

    /** The job's default resolution, the one the shipped reference profile describes. */
    static final int RESOLUTION = 256;
    static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");

    @TempDir
    Path work;

    @Test
    void photosOfSourcesOutsideTheReferenceRaiseNoAlertInManyWindows() throws Exception {
        JsonNode summary = demo(RESOLUTION, "--images", SAMPLES.resolve("unseen-photos").toString());

        assertThat(summary.get("latentsWritten").asInt()).isEqualTo(240);
        assertThat(summary.get("windows").asInt()).isGreaterThanOrEqualTo(7);
        assertThat(summary.get("alerts")).as("false positives").isEmpty();
    }

    /**
     * Per-channel marginals of the illustrations stay within the spread of photo windows (a window holds tiles of one
     * or two photos); what gives them away is their texture against the reference photos' (NOVELTY). See
     * DriftThresholds.
     */
    @Test
    void unseenPhotosThenIllustrationsRaiseAnAlertWithinTwoWindowsOfTheSwitchNamingWhatMoved() throws Exception {
        JsonNode summary = demo(RESOLUTION, "--images", SAMPLES.resolve("unseen-photos").toString(),
                "--images", SAMPLES.resolve("illustrations").toString());

        // 240 photos at 32 per window: the switch falls in window 7 or 8, depending on where the first image falls
        // in its minute
        JsonNode alerts = summary.get("alerts");
        assertThat(alerts).as("alerts: %s", alerts).isNotEmpty();
        JsonNode raised = alerts.get(0);
        assertThat(raised.get("windowIndex").asLong())
                .as("no alert on the photos, one at most two windows after the switch").isBetween(7L, 10L);
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

        // 64 px: the pathologies need no reference to speak of, and a small input keeps the test quick
        JsonNode summary = demo(64, "--model", model.toString(), "--images", SAMPLES.resolve("photos").toString());

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

    JsonNode demo(int resolution, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("demo", "--resolution", String.valueOf(resolution),
                "--state-dir", work.resolve("state").toString(), "--json"));
        command.addAll(List.of(arguments));
        StringWriter out = new StringWriter();
        CommandLine cli = Latentflow.commandLine();
        cli.setOut(new PrintWriter(out));
        int exit = cli.execute(command.toArray(String[]::new));
        assertThat(exit).as("exit code; output: %s", out).isZero();
        return new ObjectMapper().readTree(out.toString());
    }
}
