package io.latentflow.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.latentflow.model.nn.Autoencoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServingModelTest {

    private static final int SIDE = 64;

    @ParameterizedTest(name = "f{0} c{1}")
    @CsvSource({"8,4", "8,8", "8,16", "16,4", "16,8", "16,16"})
    void encoderAndDecoderShapesFollowFAndC(int f, int c) {
        AutoencoderConfig config = AutoencoderConfig.of(LatentKind.BOUNDED, f, c);
        try (ServingModel model = ServingModel.untrained(config, 7, "test");
             LatentEncoder encoder = model.newEncoder();
             LatentDecoder decoder = model.newDecoder()) {
            float[] latents = encoder.encode(TestImages.batch(2, SIDE, SIDE, 1), 2, SIDE, SIDE);
            assertThat(latents).hasSize(2 * c * (SIDE / f) * (SIDE / f));
            float[] images = decoder.decode(latents, 2, SIDE / f, SIDE / f);
            assertThat(images).hasSize(2 * 3 * SIDE * SIDE);
            float[] imageRange = range(images);
            assertThat(imageRange[0]).isGreaterThanOrEqualTo(-1f);
            assertThat(imageRange[1]).isLessThanOrEqualTo(1f);
        }
    }

    @Test
    void nonSquareImagesEncodeToNonSquareLatents() {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 7, "test");
             LatentEncoder encoder = model.newEncoder()) {
            assertThat(encoder.encode(TestImages.batch(1, 32, 64, 1), 1, 32, 64)).hasSize(8 * 4 * 8);
        }
    }

    @Test
    void boundedLatentsStayInsideUnitRangeEvenForExtremeInputs() {
        float[] extreme = TestImages.batch(4, SIDE, SIDE, 3);
        for (int i = 0; i < extreme.length; i++) {
            extreme[i] *= 100;
        }
        for (long seed : new long[] {1, 2, 3}) {
            try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), seed, "test");
                 LatentEncoder encoder = model.newEncoder()) {
                float[] latents = encoder.encode(extreme, 4, SIDE, SIDE);
                for (float v : latents) {
                    assertThat(v).isBetween(-1f, 1f);
                }
                assertThat(range(latents)[1] - range(latents)[0]).as("latents are not constant").isGreaterThan(0.01f);
            }
        }
    }

    @Test
    void klConfigEmitsMomentsAndServingReturnsTheirMean() {
        AutoencoderConfig config = AutoencoderConfig.klVaeF8C4();
        float[] pixels = TestImages.batch(2, SIDE, SIDE, 4);
        float[] moments;
        try (NDManager manager = NDManager.newBaseManager()) {
            Autoencoder autoencoder = Autoencoder.initialized(config, manager, 11);
            NDArray out = autoencoder.encoder().forward(new ParameterStore(manager, false),
                    new NDList(manager.create(pixels, new Shape(2, 3, SIDE, SIDE))), false).singletonOrThrow();
            assertThat(out.getShape()).isEqualTo(new Shape(2, 8, 8, 8));
            moments = out.toFloatArray();
        }
        try (ServingModel model = ServingModel.untrained(config, 11, "test");
             LatentEncoder encoder = model.newEncoder()) {
            float[] latents = encoder.encode(pixels, 2, SIDE, SIDE);
            assertThat(latents).hasSize(2 * 4 * 8 * 8);
            int plane = 4 * 8 * 8;
            for (int n = 0; n < 2; n++) {
                float[] mean = Arrays.copyOfRange(moments, n * 2 * plane, n * 2 * plane + plane);
                assertThat(Arrays.copyOfRange(latents, n * plane, (n + 1) * plane)).containsExactly(mean);
            }
        }
    }

    @Test
    void theKlBaselineServesItsMomentsAndABoundedModelHasNone() {
        AutoencoderConfig config = AutoencoderConfig.klVaeF8C4();
        float[] pixels = TestImages.batch(2, SIDE, SIDE, 4);
        try (ServingModel model = ServingModel.untrained(config, 11, "test");
             LatentEncoder means = model.newEncoder();
             LatentEncoder moments = model.newMomentsEncoder()) {
            float[] served = means.encode(pixels, 2, SIDE, SIDE);
            float[] both = moments.encode(pixels, 2, SIDE, SIDE);
            int plane = 4 * 8 * 8;
            assertThat(both).hasSize(2 * 2 * plane);
            for (int n = 0; n < 2; n++) {
                assertThat(Arrays.copyOfRange(both, n * 2 * plane, n * 2 * plane + plane))
                        .containsExactly(Arrays.copyOfRange(served, n * plane, (n + 1) * plane));
                for (int v = n * 2 * plane + plane; v < (n + 1) * 2 * plane; v++) {
                    assertThat(both[v]).isBetween(-30f, 20f);
                }
            }
        }
        try (ServingModel bounded = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 1, "test")) {
            assertThatThrownBy(bounded::newMomentsEncoder).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("no posterior");
        }
    }

    @Test
    void sameSeedGivesSameOutputsAndAnotherSeedDoesNot() {
        float[] pixels = TestImages.batch(2, SIDE, SIDE, 5);
        float[] first = encodeWithSeed(42, pixels);
        assertThat(encodeWithSeed(42, pixels)).containsExactly(first);
        assertThat(encodeWithSeed(43, pixels)).isNotEqualTo(first);
    }

    @Test
    void eachThreadEncodesWithItsOwnEncoder() throws Exception {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 9, "test")) {
            List<float[]> inputs = List.of(TestImages.batch(2, SIDE, SIDE, 20), TestImages.batch(2, SIDE, SIDE, 21));
            List<float[]> expected = new ArrayList<>();
            try (LatentEncoder encoder = model.newEncoder()) {
                for (float[] input : inputs) {
                    expected.add(encoder.encode(input, 2, SIDE, SIDE));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<List<float[]>>> results = new ArrayList<>();
                for (float[] input : inputs) {
                    Callable<List<float[]>> task = () -> {
                        List<float[]> out = new ArrayList<>();
                        try (LatentEncoder encoder = model.newEncoder()) {
                            for (int i = 0; i < 5; i++) {
                                out.add(encoder.encode(input, 2, SIDE, SIDE));
                            }
                        }
                        return out;
                    };
                    results.add(pool.submit(task));
                }
                for (int t = 0; t < inputs.size(); t++) {
                    for (float[] latents : results.get(t).get()) {
                        assertThat(latents).containsExactly(expected.get(t));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void batchesSplitToBoundActivationMemoryGiveTheSameResults() {
        int side = 128;
        float[] pixels = TestImages.batch(3, side, side, 30);
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 9, "test")) {
            float[] latents;
            float[] images;
            try (LatentEncoder encoder = model.newEncoder(); LatentDecoder decoder = model.newDecoder()) {
                latents = encoder.encode(pixels, 3, side, side);
                images = decoder.decode(latents, 3, side / 8, side / 8);
            }
            // Different batch sizes may pick different convolution kernels: equal up to float rounding.
            // 1 MB is below one image's largest activation at 128 px: every image becomes its own forward call.
            System.setProperty(BatchSplitter.BUDGET_PROPERTY, "1");
            try (LatentEncoder encoder = model.newEncoder(); LatentDecoder decoder = model.newDecoder()) {
                assertThat(maxAbsDifference(encoder.encode(pixels, 3, side, side), latents)).isLessThan(1e-4f);
                assertThat(maxAbsDifference(decoder.decode(latents, 3, side / 8, side / 8), images)).isLessThan(1e-4f);
            } finally {
                System.clearProperty(BatchSplitter.BUDGET_PROPERTY);
            }
        }
    }

    @Test
    void badBatchesAreRefusedWithWhatWasWrong() {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 1, "test");
             LatentEncoder encoder = model.newEncoder();
             LatentDecoder decoder = model.newDecoder()) {
            assertThatThrownBy(() -> encoder.encode(new float[3 * 60 * 60], 1, 60, 60))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("60x60 is not a multiple of the model's downsampling factor 8");
            assertThatThrownBy(() -> encoder.encode(new float[10], 1, 64, 64))
                    .hasMessageContaining("pixels has 10 values, expected");
            assertThatThrownBy(() -> decoder.decode(new float[4 * 8 * 8], 1, 8, 8))
                    .hasMessageContaining("latents has 256 values, expected batch 1 x 8 channels");
        }
    }

    @Test
    void defaultModelIsTheShippedTrainedBoundedF8C8WithItsValidationMetrics() throws Exception {
        try (ServingModel model = ServingModel.loadDefault(); LatentEncoder encoder = model.newEncoder()) {
            assertThat(model.config()).isEqualTo(ServingModel.defaultConfig());
            assertThat(model.config().latentKind()).isEqualTo(LatentKind.BOUNDED);
            assertThat(model.config().downsamplingFactor()).isEqualTo(8);
            assertThat(model.config().latentChannels()).isEqualTo(8);
            assertThat(model.version()).startsWith("bounded-f8c8-");
            float[] latents = encoder.encode(TestImages.batch(2, SIDE, SIDE, 6), 2, SIDE, SIDE);
            assertThat(latents).hasSize(2 * 8 * (SIDE / 8) * (SIDE / 8));
        }
    }

    private static float[] encodeWithSeed(long seed, float[] pixels) {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), seed, "test");
             LatentEncoder encoder = model.newEncoder()) {
            return encoder.encode(pixels, pixels.length / (3 * SIDE * SIDE), SIDE, SIDE);
        }
    }

    private static float maxAbsDifference(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        return max;
    }

    private static float[] range(float[] values) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new float[] {min, max};
    }
}
