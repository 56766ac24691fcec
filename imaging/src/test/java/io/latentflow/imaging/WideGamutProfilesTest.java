package io.latentflow.imaging;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images tagged with a wide-gamut ICC profile reach the model in sRGB, as littlecms (PIL's ImageCms) converts them:
 * left unconverted, their saturated colours would come out dull. References are made by
 * src/test/python/make_input_fixtures.py.
 */
class WideGamutProfilesTest {

    /** Mean absolute error per channel, in 8-bit levels, allowed against littlecms (rounding, JPEG IDCT). */
    private static final double TOLERANCE = 0.5;

    private final ImageDecoder decoder = new ImageDecoder();

    @ParameterizedTest
    @ValueSource(strings = {"adobe-rgb.jpg", "display-p3.jpg", "adobe-rgb.png", "display-p3.png"})
    void convertsToSrgbLikeLittleCms(String name) throws Exception {
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(TestImages.fixture(name + ".srgb.png")));
        double[] error = meanAbsoluteError(decoder.decode(TestImages.fixture(name)), reference);
        System.out.printf(Locale.ROOT, "%s against littlecms: mean abs error R %.2f G %.2f B %.2f%n", name, error[0], error[1], error[2]);
        assertThat(Math.max(error[0], Math.max(error[1], error[2]))).as(name).isLessThanOrEqualTo(TOLERANCE);
    }

    private static double[] meanAbsoluteError(BufferedImage actual, BufferedImage expected) {
        assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
        assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
        double[] sum = new double[3];
        for (int y = 0; y < actual.getHeight(); y++) {
            for (int x = 0; x < actual.getWidth(); x++) {
                int[] a = TestImages.rgbAt(actual, x, y);
                int[] e = TestImages.rgbAt(expected, x, y);
                for (int c = 0; c < 3; c++) {
                    sum[c] += Math.abs(a[c] - e[c]);
                }
            }
        }
        int pixels = actual.getWidth() * actual.getHeight();
        return new double[]{sum[0] / pixels, sum[1] / pixels, sum[2] / pixels};
    }
}
