package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.jobs.encode.LatentEncoderFunction;
import io.latentflow.jobs.encode.MicroBatcher;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.OperatorFaults;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.model.drift.ReconstructionSampling;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.ValidationPsnr;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftFinding;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.shards.StoredLatents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * QUALITY end to end through the encode job's own operators on a MiniCluster: the real default model at the job's
 * 256 px encodes a minute of photos it never trained on, then a minute of images it cannot reconstruct (noise); every
 * image is sampled (1 in 1) and decoded by the encoder, and the monitor holds the PSNRs against the validation PSNRs
 * shipped in the model's metrics.json. The photos stay quiet; the noise raises QUALITY.
 */
class ReconstructionQualityMonitorTest {

    private static final int SIZE = 256;
    static final int PER_WINDOW = 12;
    static final long MINUTE = 60_000;
    static final long FIRST_EVENT = 28_333_333L * MINUTE;

    @Test
    void aWindowTheModelReconstructsBadlyRaisesQualityAndUnseenPhotosDoNot() throws Exception {
        ReferenceProfile profile = ReferenceProfiles.stored(ModelLocation.DEFAULT).orElseThrow();
        ValidationPsnr validation = ReferenceProfiles.storedValidationPsnr(ModelLocation.DEFAULT, SIZE).orElseThrow();
        List<PreparedImage> images = new ArrayList<>(unseenPhotos(PER_WINDOW, FIRST_EVENT));
        images.addAll(noise(PER_WINDOW, FIRST_EVENT + MINUTE));

        CollectingSink<LatentStatsWindow> stats = new CollectingSink<>("quality-stats");
        CollectingSink<DriftAlert> alerts = new CollectingSink<>("quality-alerts");
        StreamExecutionEnvironment environment = DriftMonitorTest.environment();
        ReconstructionSampling everyImage = new ReconstructionSampling(1);
        DataStream<EncodedLatent> encoded = encoded(environment, images, everyImage);
        new DriftMonitor(DriftMonitorSettings.of(profile).withValidationPsnr(Optional.of(validation))
                .withSampling(everyImage)).attach(encoded, stats, alerts);
        environment.execute("reconstruction-quality-test");

        List<LatentStatsWindow> windows = stats.collected();
        windows.sort(Comparator.comparing(LatentStatsWindow::getWindowStart));
        assertThat(windows).hasSize(2);
        LatentStatsWindow photos = windows.get(0);
        LatentStatsWindow noise = windows.get(1);
        assertThat(photos.getSampledPsnr()).hasSize(PER_WINDOW);
        assertThat(photos.getValidationPsnrMedian()).isEqualTo(validation.median());
        assertThat(photos.getQualityWarningPsnr()).isEqualTo(validation.at(0.05));
        assertThat(photos.getQualityScore()).isLessThan(1);
        assertThat(noise.getQualityScore()).isGreaterThanOrEqualTo(2);

        List<DriftAlert> raised = alerts.collected();
        assertThat(raised).hasSize(1);
        assertThat(raised.get(0).getWindowStart()).isEqualTo(noise.getWindowStart());
        assertThat(raised.get(0).getSeverity()).isEqualTo(DriftSeverity.CRITICAL);
        assertThat(raised.get(0).getFindings()).extracting(DriftFinding::getStatistic).contains("QUALITY");
    }

    /** The images in event-time order through the encode job's batcher and encoder: the default model at 256 px. */
    static DataStream<EncodedLatent> encoded(StreamExecutionEnvironment environment, List<PreparedImage> images,
                                             ReconstructionSampling sampling) {
        return environment
                .fromData(images, TypeInformation.of(PreparedImage.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<PreparedImage>forMonotonousTimestamps()
                        .withTimestampAssigner((image, timestamp) -> image.eventTime))
                .transform("MicroBatcher", Types.LIST(TypeInformation.of(PreparedImage.class)),
                        new MicroBatcher<PreparedImage>(8, Duration.ofMillis(50)))
                .process(new LatentEncoderFunction(ModelLocation.DEFAULT, SIZE, StoredLatents.MEAN,
                        OperatorFaults.NONE, null, null, TrustedKeys.NOT_CHECKED, sampling),
                        TypeInformation.of(EncodedLatent.class));
    }

    static List<PreparedImage> unseenPhotos(int count, long firstEvent) throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        ModelInputResizer resizer = new ModelInputResizer(SIZE, 8);
        List<PreparedImage> images = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("latentflow.home"), "samples",
                "unseen-photos"))) {
            // spread over the folder: its photos are ordered by source
            List<Path> all = files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList();
            for (int i = 0; i < count; i++) {
                Path file = all.get(i * all.size() / count);
                images.add(image("photo-" + i, resizer.resize(decoder.decode(Files.readAllBytes(file))),
                        firstEvent + i * (MINUTE / count)));
            }
        }
        return images;
    }

    private static List<PreparedImage> noise(int count, long firstEvent) {
        Random random = new Random(11);
        List<PreparedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] rgb = new byte[SIZE * SIZE * 3];
            random.nextBytes(rgb);
            images.add(image("noise-" + i, rgb, firstEvent + i * (MINUTE / count)));
        }
        return images;
    }

    private static PreparedImage image(String id, byte[] rgb, long eventTime) {
        PreparedImage image = new PreparedImage();
        image.imageId = id;
        image.sampleKey = id;
        image.topic = "images";
        image.source = id.substring(0, id.indexOf('-'));
        image.eventTime = eventTime;
        image.recordTimestamp = eventTime;
        image.size = SIZE;
        image.pixels = rgb;
        return image;
    }
}
