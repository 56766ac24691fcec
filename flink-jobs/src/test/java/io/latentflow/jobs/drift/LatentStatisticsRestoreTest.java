package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.model.drift.ImageExposure;
import io.latentflow.schemas.ChannelStats;
import io.latentflow.schemas.LatentStatsWindow;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * An upgrade with a window open: the drift monitor's window operator restores the state that the releases before
 * EXPOSURE (window statistics format 3) and before REPEATED_PIXELS (format 4) checkpointed, eight latents into the
 * first minute's window, and closes that window in this release. The snapshots and the figures those releases
 * emitted for the same window are in {@code drift/old-formats}.
 */
class LatentStatisticsRestoreTest {

    private static final String FIXTURES = "/drift/old-formats/";
    private static final long MINUTE = 60_000;

    @Test
    void aWindowOpenInTheReleaseBeforeExposureClosesWithTheFiguresThatReleaseGaveIt() throws Exception {
        LatentStatsWindow closed = closeRestored("latent-statistics-format-3", List.of());

        assertSameAsTheOldReleaseEmitted(closed, figures("latent-statistics-format-3"));
        assertThat(closed.getExposureHighlights()).as("not measured").isEmpty();
        assertThat(closed.getRepeatedPixels()).isEmpty();
    }

    @Test
    void aWindowOpenInTheReleaseBeforeRepeatedPixelsKeepsItsExposureLevels() throws Exception {
        LatentStatsWindow closed = closeRestored("latent-statistics-format-4", List.of());
        JsonNode emitted = figures("latent-statistics-format-4");

        assertSameAsTheOldReleaseEmitted(closed, emitted);
        assertThat(closed.getExposureHighlights().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(emitted.get("exposureHighlights").asLong()).isEqualTo(8);
        assertThat(closed.getRepeatedPixels()).as("not measured").isEmpty();
    }

    @Test
    void theImagesAfterTheRestoreJoinTheRestoredWindowWithTheirLevelsMeasured() throws Exception {
        List<EncodedLatent> later = SyntheticLatents.latents(6, 30_000, 1000,
                new double[SyntheticLatents.CHANNELS], 10);
        later.forEach(latent -> latent.measuredExposure(new ImageExposure(0.9, 0.05, 0.01)));

        LatentStatsWindow closed = closeRestored("latent-statistics-format-3", later);

        assertThat(closed.getImages()).isEqualTo(8 + 6);
        assertThat(closed.getChannels()).allSatisfy(channel -> assertThat(channel.getCount())
                .isEqualTo(14L * SyntheticLatents.POSITIONS));
        assertThat(closed.getExposureHighlights().stream().mapToLong(Long::longValue).sum()).isEqualTo(6);
        assertThat(closed.getRepeatedPixels().stream().mapToLong(Long::longValue).sum()).isEqualTo(6);
    }

    private static LatentStatsWindow closeRestored(String snapshot, List<EncodedLatent> later) throws Exception {
        OperatorSubtaskState checkpoint = OperatorSnapshotUtil.readStateHandle(path(snapshot + ".snapshot"));
        try (KeyedOneInputStreamOperatorTestHarness<String, EncodedLatent, LatentStatsWindow> harness =
                     LatentStatisticsOperator.harness(SyntheticLatents.profile())) {
            harness.initializeState(checkpoint);
            harness.open();
            for (EncodedLatent latent : later) {
                harness.processElement(latent, latent.image.eventTime);
            }
            harness.processWatermark(MINUTE);
            List<LatentStatsWindow> windows = harness.extractOutputValues();
            assertThat(windows).hasSize(1);
            return windows.get(0);
        }
    }

    private static void assertSameAsTheOldReleaseEmitted(LatentStatsWindow closed, JsonNode emitted) {
        assertThat(closed.getModelVersion()).isEqualTo(SyntheticLatents.MODEL);
        assertThat(closed.getWindowEnd().toEpochMilli()).isEqualTo(MINUTE);
        assertThat(closed.getImages()).isEqualTo(emitted.get("images").asLong()).isEqualTo(8);
        assertThat(closed.getMean()).isEqualTo(emitted.get("mean").asDouble());
        assertThat(closed.getStd()).isEqualTo(emitted.get("std").asDouble());
        assertThat(closed.getNovelty()).isEqualTo(emitted.get("novelty").asDouble());
        assertThat(closed.getDriftScore()).isEqualTo(emitted.get("driftScore").asDouble());
        JsonNode channels = emitted.get("channels");
        assertThat(closed.getChannels()).hasSize(channels.size());
        for (int c = 0; c < channels.size(); c++) {
            ChannelStats channel = closed.getChannels().get(c);
            assertThat(channel.getCount()).isEqualTo(channels.get(c).get("count").asLong());
            assertThat(channel.getMean()).isEqualTo(channels.get(c).get("mean").asDouble());
            assertThat(channel.getVariance()).isEqualTo(channels.get(c).get("variance").asDouble());
        }
    }

    private static JsonNode figures(String name) throws IOException, URISyntaxException {
        return new ObjectMapper().readTree(Path.of(path(name + ".json")).toFile());
    }

    private static String path(String name) throws URISyntaxException {
        return Path.of(LatentStatisticsRestoreTest.class.getResource(FIXTURES + name).toURI()).toString();
    }
}
