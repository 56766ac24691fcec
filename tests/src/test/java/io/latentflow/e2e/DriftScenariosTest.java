package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.cli.train.KindCrops;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.ServingModel;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The latent-drift monitor through the real encode job on the embedded stack, driven as a user drives it
 * ({@code ./latentflow demo --images ... --json}), one window per 32 images of event time.
 *
 * <p>The drift scenarios stream kinds of images none of the monitor's levels was read on: crops of the photos and
 * illustrations of {@code eval/drift-kinds} (Debian packages other than those of the model's training data and of
 * {@code samples/}). The levels come from the shipped model's reference profile (its 22 training sources) and from
 * leave-sources-out splits of {@code ../shared/data} ({@code ./latentflow bench drift}, docs/drift.md), never from
 * these streams' alerts. The illustrations are the kinds the monitor is meant to catch by texture (flat fills with
 * sharp edges, smooth gradients); {@code bench drift --kinds} reports the kinds it does not catch.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DriftScenariosTest {

    /** The job's default resolution, the one the shipped reference profile describes. */
    static final int RESOLUTION = 256;
    static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    static final Path KINDS = Path.of(System.getProperty("latentflow.home"), "eval", "drift-kinds");
    /** Crops of each image, consecutive in name order: a window of 32 holds 4 images of one kind. */
    static final int CROPS = 8;
    /** Every photo kind of the set: 34 images. */
    static final List<String> PHOTO_KINDS = List.of("landscape", "macro-bokeh", "night-low-light", "sky-weather",
            "texture-closeup", "urban");
    static final int PHOTOS = 34 * CROPS;

    @TempDir
    Path work;

    @Test
    void photosOfKindsNoLevelWasReadOnRaiseNoAlertInManyWindows() throws Exception {
        Path photos = crops("photo", PHOTO_KINDS, work.resolve("photos"));

        JsonNode summary = demo(RESOLUTION, "--images", photos.toString());

        assertThat(summary.get("latentsWritten").asInt()).isEqualTo(PHOTOS);
        assertThat(summary.get("windows").asInt()).isGreaterThanOrEqualTo(8);
        assertThat(summary.get("alerts")).as("false positives").isEmpty();
    }

    /**
     * Per-channel marginals of the illustrations stay within the spread of photo windows (a window holds tiles of one
     * or two photos); what gives them away is their texture against the reference photos' (NOVELTY), and their flat
     * fills' exactly repeated pixels (REPEATED_PIXELS). See DriftThresholds.
     */
    @Test
    void photosThenIllustrationsOfKindsNoLevelWasReadOnRaiseAnAlertWithinTwoWindowsOfTheSwitch() throws Exception {
        Path photos = crops("photo", PHOTO_KINDS, work.resolve("photos"));
        Path illustrations = crops("illustration", List.of("flat-vector", "smooth-gradient"),
                work.resolve("illustrations"));

        JsonNode summary = demo(RESOLUTION, "--images", photos.toString(), "--images", illustrations.toString());

        // 272 photos at 32 per window: the switch falls in window 8 or 9, depending on where the first image falls
        // in its minute
        JsonNode alerts = summary.get("alerts");
        assertThat(alerts).as("alerts: %s", alerts).isNotEmpty();
        JsonNode raised = alerts.get(0);
        assertThat(raised.get("windowIndex").asLong())
                .as("no alert on the photos, one at most two windows after the switch")
                .isBetween((long) PHOTOS / 32, PHOTOS / 32 + 3L);
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
                .allSatisfy(statistic -> assertThat(statistic).isIn("MEAN_SHIFT", "VARIANCE_RATIO", "PSI", "NOVELTY",
                        "REPEATED_PIXELS"));
    }

    @Test
    void anUnboundedKlVaeTripsTheScaleCheckByName() throws Exception {
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
        // unbounded latents have no range to leave (OUT_OF_RANGE is for bounded ones): their pathology is the scale
        assertThat(statistics).contains("SCALE").doesNotContain("OUT_OF_RANGE");
        assertThat(alerts).as("the pathologies hold in every window: the alert stays up").hasSize(1);
    }

    /** {@value #CROPS} crops of every image of the kinds, as PNG files named kind, image, crop (their stream order). */
    static Path crops(String category, List<String> kinds, Path folder) throws Exception {
        Files.createDirectories(folder);
        ModelInputResizer resizer = new ModelInputResizer(RESOLUTION, 8); // the shipped model is f8
        for (String kind : kinds) {
            for (Path file : ImageFolders.files(KINDS.resolve(category).resolve(kind))) {
                String name = file.getFileName().toString();
                BufferedImage image = new ImageDecoder().decode(Files.readAllBytes(file));
                List<byte[]> crops = KindCrops.cut(image, name, resizer, CROPS);
                for (int c = 0; c < crops.size(); c++) {
                    ImageIO.write(rgbImage(crops.get(c), RESOLUTION), "png",
                            folder.resolve(kind + "-" + name + "-" + c + ".png").toFile());
                }
            }
        }
        return folder;
    }

    private static BufferedImage rgbImage(byte[] rgb, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < side * side; p++) {
            image.setRGB(p % side, p / side,
                    (rgb[3 * p] & 0xFF) << 16 | (rgb[3 * p + 1] & 0xFF) << 8 | (rgb[3 * p + 2] & 0xFF));
        }
        return image;
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
