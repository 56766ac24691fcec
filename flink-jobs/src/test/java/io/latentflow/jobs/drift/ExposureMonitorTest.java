package io.latentflow.jobs.drift;

import static io.latentflow.jobs.drift.ReconstructionQualityMonitorTest.FIRST_EVENT;
import static io.latentflow.jobs.drift.ReconstructionQualityMonitorTest.MINUTE;
import static io.latentflow.jobs.drift.ReconstructionQualityMonitorTest.PER_WINDOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.model.drift.ReconstructionSampling;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftFinding;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * EXPOSURE end to end through the encode job's own operators on a MiniCluster: the real default model at the job's
 * 256 px, its shipped reference profile (whose exposure levels were read from its training tiles), a minute of
 * photos it never trained on, then a minute of the same kind of photos from a camera at a quarter of its brightness.
 * The levels travel from the encoder's pixels to the monitor's window; the photos stay quiet, the dark camera raises
 * an alert naming EXPOSURE.
 */
class ExposureMonitorTest {

    @Test
    void aCameraAtAQuarterOfItsBrightnessRaisesExposureAndOrdinaryPhotosDoNot() throws Exception {
        ReferenceProfile profile = ReferenceProfiles.stored(ModelLocation.DEFAULT).orElseThrow();
        List<PreparedImage> images = new ArrayList<>(ReconstructionQualityMonitorTest.unseenPhotos(PER_WINDOW,
                FIRST_EVENT));
        for (PreparedImage photo : ReconstructionQualityMonitorTest.unseenPhotos(PER_WINDOW, FIRST_EVENT + MINUTE)) {
            for (int i = 0; i < photo.pixels.length; i++) {
                photo.pixels[i] = (byte) ((photo.pixels[i] & 0xFF) / 4);
            }
            photo.imageId = "dark-" + photo.imageId;
            images.add(photo);
        }

        CollectingSink<LatentStatsWindow> stats = new CollectingSink<>("exposure-stats");
        CollectingSink<DriftAlert> alerts = new CollectingSink<>("exposure-alerts");
        StreamExecutionEnvironment environment = DriftMonitorTest.environment();
        new DriftMonitor(DriftMonitorSettings.of(profile)).attach(ReconstructionQualityMonitorTest.encoded(
                environment, images, ReconstructionSampling.NONE), stats, alerts);
        environment.execute("exposure-test");

        List<LatentStatsWindow> windows = stats.collected();
        windows.sort(Comparator.comparing(LatentStatsWindow::getWindowStart));
        assertThat(windows).hasSize(2);
        assertThat(windows.get(0).getDriftScore()).isLessThan(1);
        // REPEATED_PIXELS' shares travel in the record too, one per image (and are part of that quiet score)
        assertThat(windows.get(0).getRepeatedPixels().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(windows.get(0).getImages());
        List<DriftAlert> raised = alerts.collected();
        assertThat(raised).hasSize(1);
        assertThat(raised.get(0).getWindowStart()).isEqualTo(windows.get(1).getWindowStart());
        assertThat(raised.get(0).getSeverity()).isIn(DriftSeverity.WARNING, DriftSeverity.CRITICAL);
        assertThat(raised.get(0).getFindings()).extracting(DriftFinding::getStatistic).contains("EXPOSURE");
    }
}
