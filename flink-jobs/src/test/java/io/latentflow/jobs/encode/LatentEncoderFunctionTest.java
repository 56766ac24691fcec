package io.latentflow.jobs.encode;

import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.jobs.fixtures.DiffusersFixtures;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ImageExposure;
import io.latentflow.model.drift.ReconstructionSampling;
import io.latentflow.model.eval.EvaluationOptions;
import io.latentflow.model.eval.Evaluator;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.DeadLetterReason;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.shards.StoredLatents;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The encode stage alone, with the real default model on real photos. */
class LatentEncoderFunctionTest {

    private static final int SIZE = 64;

    @TempDir
    Path temp;

    @Test
    void aBatchIsSplitIntoOneLatentPerImageEqualToEncodingThatImageAlone() throws Exception {
        List<PreparedImage> batch = preparedPhotos(5);
        List<EncodedLatent> latents;
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(
                new LatentEncoderFunction(ModelLocation.DEFAULT, SIZE, OperatorFaults.NONE))) {
            harness.open();
            harness.processElement(new ArrayList<>(batch), 0);
            latents = harness.extractOutputValues();
        }

        assertThat(latents).extracting(l -> l.image.imageId).containsExactly("p0", "p1", "p2", "p3", "p4");
        try (ServingModel model = ModelLocation.DEFAULT.load(); LatentEncoder alone = model.newEncoder()) {
            for (int i = 0; i < batch.size(); i++) {
                EncodedLatent latent = latents.get(i);
                int channels = model.config().latentChannels();
                assertThat(latent.shape).containsExactly(channels, SIZE / 8, SIZE / 8);
                assertThat(latent.modelVersion).isEqualTo(model.version());
                assertThat(latent.image.pixels).as("pixels are dropped once encoded").isNull();
                float[] expected = alone.encode(ModelInputBatch.toNchw(List.of(pixelsOf(i)), SIZE), 1, SIZE, SIZE);
                assertThat(latent.latent).hasSameSizeAs(expected);
                for (int v = 0; v < expected.length; v++) {
                    assertThat(latent.latent[v]).isCloseTo(expected[v], within(1e-4f));
                }
                assertThat(latent.summary.getMin()).isGreaterThanOrEqualTo(-1f);
                assertThat(latent.summary.getMax()).isLessThanOrEqualTo(1f);
                // EXPOSURE's levels travel with the latent, read from the very pixels it was encoded from
                assertThat(latent.exposure()).isEqualTo(ImageExposure.ofRgb(pixelsOf(i)));
            }
        }
    }

    @Test
    void sampledImagesCarryTheReconstructionPsnrEvalMeasuresAndOthersNone() throws Exception {
        List<PreparedImage> batch = preparedPhotos(3);
        List<EncodedLatent> sampled = encodeSampled(batch, new ReconstructionSampling(1));
        List<EncodedLatent> unsampled = encodeSampled(preparedPhotos(3), ReconstructionSampling.NONE);

        try (ServingModel model = ModelLocation.DEFAULT.load()) {
            List<Double> expected = new ArrayList<>();
            List<byte[]> images = List.of(pixelsOf(0), pixelsOf(1), pixelsOf(2));
            Evaluator.evaluate(model, List.of(new ImageBatch(ModelInputBatch.toNchw(images, SIZE), 3, SIZE, SIZE)),
                    EvaluationOptions.defaults().withNoiseSigmas(List.of()), null, expected::add);
            for (int i = 0; i < 3; i++) {
                assertThat(sampled.get(i).reconstructionPsnr).isCloseTo(expected.get(i), within(0.01));
            }
        }
        assertThat(unsampled).allMatch(latent -> Double.isNaN(latent.reconstructionPsnr));
    }

    private static List<EncodedLatent> encodeSampled(List<PreparedImage> batch, ReconstructionSampling sampling)
            throws Exception {
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new LatentEncoderFunction(
                ModelLocation.DEFAULT, SIZE, StoredLatents.MEAN, OperatorFaults.NONE, null, null,
                TrustedKeys.NOT_CHECKED, sampling))) {
            harness.open();
            harness.processElement(new ArrayList<>(batch), 0);
            return harness.extractOutputValues();
        }
    }

    @Test
    void aModelThatCannotBeLoadedFailsTheJobNamingTheLocation() {
        var missing = new LatentEncoderFunction(ModelLocation.parse("/nonexistent/model-v1"), SIZE, OperatorFaults.NONE);

        assertThatThrownBy(() -> ProcessFunctionTestHarnesses.forProcessFunction(missing).open())
                .hasMessageContaining("/nonexistent/model-v1").hasMessageContaining("cannot load model");
    }

    @Test
    void aResolutionTheModelCannotEncodeFailsAtStart() {
        var odd = new LatentEncoderFunction(ModelLocation.DEFAULT, 60, OperatorFaults.NONE);

        assertThatThrownBy(() -> ProcessFunctionTestHarnesses.forProcessFunction(odd).open())
                .hasMessageContaining("resolution 60").hasMessageContaining("downsampling factor 8");
    }

    @Test
    void momentsOfAnImportedVaeAreItsUnscaledMeanAndLogVariance() throws Exception {
        Path model = DiffusersFixtures.imported("flux-f16", temp.resolve("flux"));
        List<PreparedImage> batch = preparedPhotos(2);
        List<EncodedLatent> moments;
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new LatentEncoderFunction(
                ModelLocation.of(model), SIZE, StoredLatents.MOMENTS, OperatorFaults.NONE, null, null,
                TrustedKeys.NOT_CHECKED))) {
            harness.open();
            harness.processElement(new ArrayList<>(batch), 0);
            moments = harness.extractOutputValues();
        }

        try (ServingModel served = ServingModel.load(model); LatentEncoder encoder = served.newEncoder()) {
            for (int i = 0; i < batch.size(); i++) {
                EncodedLatent latent = moments.get(i);
                assertThat(latent.latents).isEqualTo(StoredLatents.MOMENTS);
                assertThat(latent.shape).containsExactly(32, SIZE / 8, SIZE / 8);
                float[] mean = encoder.encode(ModelInputBatch.toNchw(List.of(pixelsOf(i)), SIZE), 1, SIZE, SIZE);
                EncodedLatent asServed = latent.served();
                assertThat(asServed.shape).containsExactly(16, SIZE / 8, SIZE / 8);
                for (int v = 0; v < mean.length; v++) {
                    assertThat(asServed.latent[v]).isCloseTo(mean[v], within(1e-4f));
                }
                for (int v = mean.length; v < latent.latent.length; v++) {
                    assertThat(latent.latent[v]).isBetween(-30f, 20f);
                }
            }
        }
    }

    @Test
    void aBoundedModelHasNoMomentsToStore() {
        var bounded = new LatentEncoderFunction(ModelLocation.DEFAULT, SIZE, StoredLatents.MOMENTS, OperatorFaults.NONE,
                null, null, TrustedKeys.NOT_CHECKED);

        assertThatThrownBy(() -> ProcessFunctionTestHarnesses.forProcessFunction(bounded).open())
                .hasMessageContaining("--latents moments").hasMessageContaining("no posterior");
    }

    @Test
    void nonFiniteLatentsAreNeverWrittenButDeadLetteredNamingTheModel() throws Exception {
        Path model = DiffusersFixtures.withNonFiniteLatents(temp);
        List<PreparedImage> batch = preparedPhotos(3);

        List<EncodedLatent> written;
        List<DeadLetter> deadLetters = new ArrayList<>();
        String version;
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(
                new LatentEncoderFunction(ModelLocation.of(model), SIZE, OperatorFaults.NONE))) {
            harness.open();
            harness.processElement(new ArrayList<>(batch), 0);
            written = harness.extractOutputValues();
            harness.getSideOutput(EncodeJob.DEAD_LETTERS).forEach(record -> deadLetters.add(record.getValue()));
        }
        try (ServingModel served = ServingModel.load(model)) {
            version = served.version();
        }

        assertThat(written).isEmpty();
        assertThat(deadLetters).extracting(letter -> letter.getImageId().toString())
                .containsExactly("p0", "p1", "p2");
        assertThat(deadLetters).allSatisfy(letter -> {
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.ENCODE_FAILED);
            assertThat(letter.getMessage().toString()).contains("Model " + version, "non-finite", "not written");
        });
    }

    private List<byte[]> pixels;

    private List<PreparedImage> preparedPhotos(int count) throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        ModelInputResizer resizer = new ModelInputResizer(SIZE, 8);
        pixels = new ArrayList<>();
        List<PreparedImage> images = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("latentflow.home"), "samples", "photos"))) {
            for (Path file : files.sorted().limit(count).toList()) {
                byte[] rgb = resizer.resize(decoder.decode(Files.readAllBytes(file)));
                pixels.add(rgb);
                PreparedImage image = new PreparedImage();
                image.imageId = "p" + images.size();
                image.sampleKey = image.imageId;
                image.topic = "images";
                image.offset = images.size();
                image.size = SIZE;
                image.pixels = rgb.clone();
                images.add(image);
            }
        }
        return images;
    }

    private byte[] pixelsOf(int index) {
        return pixels.get(index);
    }
}
