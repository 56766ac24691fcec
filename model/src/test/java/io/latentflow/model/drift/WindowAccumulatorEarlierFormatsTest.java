package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service checkpoint written by an earlier release restores in this one: window statistics serialised by the builds
 * of format 3 (before EXPOSURE) and format 4 (before REPEATED_PIXELS), eight sample photos through the shipped model,
 * read back by this build. The bytes and the figures those builds printed are in {@code drift/old-formats}.
 */
class WindowAccumulatorEarlierFormatsTest {

    private static final String FIXTURES = "/drift/old-formats/";

    private static ReferenceProfile shipped;

    @BeforeAll
    static void readShippedProfile() throws IOException {
        shipped = ReferenceProfile.fromJson(new String(resource("/io/latentflow/model/default/"
                + ReferenceProfile.FILE_NAME), StandardCharsets.UTF_8));
    }

    @Test
    void formatThreeRestoresItsChannelsAndPsnrsAndHasNoExposureToJudge() throws IOException {
        WindowStatistics restored = WindowAccumulator.fromBytes(resource(FIXTURES + "window-accumulator-format-3.bin"))
                .result();

        assertSameAsTheOldBuildPrinted(restored, figures("window-accumulator-format-3.json"));
        assertThat(restored.exposure().images()).isZero();
        assertThat(restored.exposure().highlightHistogram()).isEmpty();
        assertThat(restored.exposure().repeatedPixelsHistogram()).isEmpty();
        DriftScorer scorer = new DriftScorer(shipped, DriftThresholds.DEFAULTS);
        assertThat(scorer.exposure().orElseThrow().judge(restored.exposure())).isEmpty();
        assertThat(scorer.repeatedPixels().orElseThrow().judge(restored.exposure())).isEmpty();
        assertThat(scorer.assess(restored).findings()).extracting(DriftFinding::statistic)
                .doesNotContain(DriftStatistic.EXPOSURE, DriftStatistic.REPEATED_PIXELS);
    }

    @Test
    void formatFourRestoresItsExposureLevelsAndHasNoRepeatedPixelsToJudge() throws IOException {
        WindowStatistics restored = WindowAccumulator.fromBytes(resource(FIXTURES + "window-accumulator-format-4.bin"))
                .result();
        JsonNode printed = figures("window-accumulator-format-4.json");

        assertSameAsTheOldBuildPrinted(restored, printed);
        assertThat(restored.exposure().images()).isEqualTo(printed.get("exposureImages").asLong()).isEqualTo(8);
        assertThat(restored.exposure().medianHighlight()).isEqualTo(printed.get("medianHighlight").asDouble());
        assertThat(restored.exposure().medianShadow()).isEqualTo(printed.get("medianShadow").asDouble());
        assertThat(restored.exposure().repeatedPixelsHistogram()).isEmpty();
        DriftScorer scorer = new DriftScorer(shipped, DriftThresholds.DEFAULTS);
        assertThat(scorer.exposure().orElseThrow().judge(restored.exposure())).isPresent();
        assertThat(scorer.repeatedPixels().orElseThrow().judge(restored.exposure())).isEmpty();
    }

    @Test
    void aRestoredWindowGoesOnAccumulatingAndIsWrittenInThisBuildsFormat() throws IOException {
        WindowAccumulator restored = WindowAccumulator.fromBytes(resource(FIXTURES + "window-accumulator-format-3.bin"));
        WindowAccumulator later = new WindowAccumulator(shipped);
        List<float[]> latents = Latents.gaussian(6, new double[8], filled(8, 0.5), 5);
        for (int i = 0; i < latents.size(); i++) {
            later.add("later-" + i, "photos", 10_000 + i, latents.get(i), 1.0, Double.NaN,
                    new ImageExposure(0.9, 0.05, 0.01));
        }
        restored.merge(later);

        byte[] written = restored.toBytes();
        WindowStatistics again = WindowAccumulator.fromBytes(written).result();
        assertThat(ByteBuffer.wrap(written).getInt()).isEqualTo(5);
        assertThat(again.images()).isEqualTo(8 + 6);
        assertThat(again.exposure().images()).as("only the images measured after the restore").isEqualTo(6);
        assertThat(again.exposure().imagesWithRepeatedPixels()).isEqualTo(6);
    }

    @Test
    void aFormatThisBuildDoesNotKnowIsRefusedSayingWhichItReads() throws IOException {
        byte[] future = resource(FIXTURES + "window-accumulator-format-4.bin");
        ByteBuffer.wrap(future).putInt(99);
        byte[] ancient = resource(FIXTURES + "window-accumulator-format-3.bin");
        ByteBuffer.wrap(ancient).putInt(2);

        assertThatThrownBy(() -> WindowAccumulator.fromBytes(future)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("window statistics in format 99, this build reads 3 to 5")
                .hasMessageContaining("newer release");
        assertThatThrownBy(() -> WindowAccumulator.fromBytes(ancient)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("window statistics in format 2, this build reads 3 to 5")
                .hasMessageContaining("without its state");
    }

    private static void assertSameAsTheOldBuildPrinted(WindowStatistics restored, JsonNode printed) {
        assertThat(restored.images()).isEqualTo(printed.get("images").asLong()).isEqualTo(8);
        assertThat(restored.novelty()).isEqualTo(printed.get("novelty").asDouble());
        assertThat(restored.blackHoles()).isEqualTo(printed.get("blackHoles").asLong());
        assertThat(restored.outliers()).hasSize(printed.get("outliers").asInt());
        assertThat(restored.sampledPsnr()).containsExactly(30.0, 34.0);
        JsonNode channels = printed.get("channels");
        assertThat(restored.channels()).hasSize(channels.size()).hasSize(shipped.channelCount());
        for (int c = 0; c < channels.size(); c++) {
            ChannelStatistics channel = restored.channels().get(c);
            JsonNode old = channels.get(c);
            assertThat(channel.count()).isEqualTo(old.get("count").asLong());
            assertThat(channel.mean()).isEqualTo(old.get("mean").asDouble());
            assertThat(channel.variance()).isEqualTo(old.get("variance").asDouble());
            assertThat(channel.min()).isEqualTo(old.get("min").asDouble());
            assertThat(channel.max()).isEqualTo(old.get("max").asDouble());
        }
    }

    private static double[] filled(int length, double value) {
        double[] values = new double[length];
        java.util.Arrays.fill(values, value);
        return values;
    }

    private static JsonNode figures(String name) throws IOException {
        return new ObjectMapper().readTree(resource(FIXTURES + name));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WindowAccumulatorEarlierFormatsTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return in.readAllBytes();
        }
    }
}
