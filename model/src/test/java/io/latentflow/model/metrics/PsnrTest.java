package io.latentflow.model.metrics;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PsnrTest {

    @Test
    void knownMseGivesTheTextbookValue() {
        // L = 2, MSE = 0.04: 10 log10(4 / 0.04) = 20 dB.
        assertThat(Psnr.fromMse(0.04, PixelRange.SIGNED_UNIT)).isCloseTo(20.0, within(1e-12));
        // L = 1, MSE = 1e-3: 30 dB.
        assertThat(Psnr.fromMse(1e-3, PixelRange.UNIT)).isCloseTo(30.0, within(1e-12));
    }

    @Test
    void uniformErrorOfOneTenthOnSignedPixelsIs26Point02Db() {
        float[] a = {0.5f, -0.5f, 0f, 0.9f};
        float[] b = {0.6f, -0.6f, 0.1f, 0.8f};
        // Every error is 0.1, MSE 0.01, 10 log10(4 / 0.01) = 26.0206 dB.
        assertThat(Psnr.of(a, b, PixelRange.SIGNED_UNIT)).isCloseTo(26.0206, within(1e-4));
    }

    @Test
    void identicalImagesAreCappedNotInfinite() {
        float[] a = {0.1f, 0.2f, 0.3f};
        assertThat(Psnr.of(a, a.clone(), PixelRange.SIGNED_UNIT)).isEqualTo(Psnr.MAX_DB);
    }

    @Test
    void perImageSplitsTheBatch() {
        float[] a = {0, 0, 0, 0, 0, 0};
        float[] b = {0.2f, 0.2f, 0.2f, 0.02f, -0.02f, 0.02f};
        double[] psnr = Psnr.perImage(a, b, 2, PixelRange.SIGNED_UNIT);
        assertThat(psnr[0]).isCloseTo(10 * Math.log10(4 / 0.04), within(1e-4));
        assertThat(psnr[1]).isCloseTo(10 * Math.log10(4 / 0.0004), within(1e-3));
    }

    @Test
    void ndArrayVersionAgreesWithFloatVersion() {
        float[] a = new float[2 * 3 * 4 * 4];
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.sin(i * 0.3);
            b[i] = a[i] + (float) (0.05 * Math.cos(i * 1.7));
        }
        double[] expected = Psnr.perImage(a, b, 2, PixelRange.SIGNED_UNIT);
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 3, 4, 4);
            float[] actual = Psnr.perImage(manager.create(a, shape), manager.create(b, shape), PixelRange.SIGNED_UNIT)
                    .toFloatArray();
            assertThat(actual).hasSize(2);
            assertThat((double) actual[0]).isCloseTo(expected[0], within(1e-3));
            assertThat((double) actual[1]).isCloseTo(expected[1], within(1e-3));
        }
    }

    @Test
    void mismatchedInputsAreRefusedWithTheirSizes() {
        assertThatThrownBy(() -> Psnr.of(new float[3], new float[4], PixelRange.UNIT))
                .hasMessageContaining("3").hasMessageContaining("4");
        assertThatThrownBy(() -> new PixelRange(1, 1)).hasMessageContaining("low < high");
    }
}
