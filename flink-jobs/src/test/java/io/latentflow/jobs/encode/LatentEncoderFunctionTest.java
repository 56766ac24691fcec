package io.latentflow.jobs.encode;

import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

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

    @Test
    void aBatchIsSplitIntoOneLatentPerImageEqualToEncodingThatImageAlone() throws Exception {
        List<PreparedImage> batch = preparedPhotos(5);
        List<EncodedLatent> latents;
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(
                new LatentEncoderFunction(ModelLocation.DEFAULT, SIZE, null))) {
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
            }
        }
    }

    @Test
    void aModelThatCannotBeLoadedFailsTheJobNamingTheLocation() {
        var missing = new LatentEncoderFunction(ModelLocation.parse("/nonexistent/model-v1"), SIZE, null);

        assertThatThrownBy(() -> ProcessFunctionTestHarnesses.forProcessFunction(missing).open())
                .hasMessageContaining("/nonexistent/model-v1").hasMessageContaining("cannot load model");
    }

    @Test
    void aResolutionTheModelCannotEncodeFailsAtStart() {
        var odd = new LatentEncoderFunction(ModelLocation.DEFAULT, 60, null);

        assertThatThrownBy(() -> ProcessFunctionTestHarnesses.forProcessFunction(odd).open())
                .hasMessageContaining("resolution 60").hasMessageContaining("downsampling factor 8");
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
