package io.latentflow.imaging;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelInputResizerTest {

    @Test
    void sizeMustBeAPositiveMultipleOfTheDownsamplingFactor() {
        assertThatThrownBy(() -> new ModelInputResizer(250, 8)).hasMessageContaining("250")
                .hasMessageContaining("downsampling factor 8").hasMessageContaining("248 or 256");
        assertThatThrownBy(() -> new ModelInputResizer(0, 8)).hasMessageContaining("use 8");
        assertThatThrownBy(() -> new ModelInputResizer(64, 0)).hasMessageContaining("downsampling factor must be positive");
        assertThat(new ModelInputResizer(256, 16).bytesPerImage()).isEqualTo(256 * 256 * 3);
    }

    @Test
    void passesAnImageOfTheModelSizeThroughAsRgb() throws Exception {
        BufferedImage photo = new ImageDecoder().decode(TestImages.samplePhoto());
        byte[] rgb = new ModelInputResizer(256, 8).resize(photo);
        assertThat(rgb).hasSize(256 * 256 * 3);
        int argb = photo.getRGB(100, 37);
        int i = 3 * (37 * 256 + 100);
        assertThat(new int[]{rgb[i] & 0xFF, rgb[i + 1] & 0xFF, rgb[i + 2] & 0xFF})
                .containsExactly((argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF);
    }

    @Test
    void keepsAUniformColourExactAtAnyScale() throws Exception {
        Color colour = new Color(12, 200, 99);
        ModelInputResizer resizer = new ModelInputResizer(64, 8);
        for (int[] size : new int[][]{{1000, 700}, {65, 64}, {20, 30}, {64, 64}, {4000, 63}}) {
            byte[] rgb = resizer.resize(compact(TestImages.filled(size[0], size[1], BufferedImage.TYPE_3BYTE_BGR, colour)));
            for (int i = 0; i < rgb.length; i += 3) {
                assertThat(new int[]{rgb[i] & 0xFF, rgb[i + 1] & 0xFF, rgb[i + 2] & 0xFF}).as("%dx%d at %d", size[0], size[1], i)
                        .containsExactly(12, 200, 99);
            }
        }
    }

    @Test
    void cropsTheCentreOfLandscapeAndPortraitImages() throws Exception {
        // red margins left and right of a 100x100 centre square split into a black top and a white bottom half
        BufferedImage landscape = TestImages.filled(300, 100, BufferedImage.TYPE_3BYTE_BGR, Color.RED);
        var g = landscape.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(100, 0, 100, 50);
        g.setColor(Color.WHITE);
        g.fillRect(100, 50, 100, 50);
        g.dispose();
        byte[] rgb = new ModelInputResizer(48, 8).resize(compact(landscape));
        for (int y : new int[]{2, 20}) {
            for (int x = 2; x < 46; x++) {
                assertThat(pixel(rgb, 48, x, y)).as("(%d,%d)", x, y).containsExactly(0, 0, 0);
                assertThat(pixel(rgb, 48, x, 47 - y)).as("(%d,%d)", x, 47 - y).containsExactly(255, 255, 255);
            }
        }
        BufferedImage portrait = TestImages.filled(100, 300, BufferedImage.TYPE_3BYTE_BGR, Color.RED);
        g = portrait.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(0, 100, 100, 100);
        g.dispose();
        byte[] portraitRgb = new ModelInputResizer(48, 8).resize(compact(portrait));
        assertThat(pixel(portraitRgb, 48, 24, 2)).containsExactly(0, 0, 255);
        assertThat(pixel(portraitRgb, 48, 24, 45)).containsExactly(0, 0, 255);
    }

    @Test
    void averagesAFineCheckerboardToGreyInsteadOfAliasing() throws Exception {
        BufferedImage checkerboard = new BufferedImage(1024, 1024, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 1024; y++) {
            for (int x = 0; x < 1024; x++) {
                checkerboard.setRGB(x, y, ((x + y) & 1) == 0 ? 0xFFFFFF : 0x000000);
            }
        }
        byte[] rgb = new ModelInputResizer(136, 8).resize(compact(checkerboard)); // a non-integer factor, 7.53
        for (byte value : rgb) {
            assertThat(value & 0xFF).isBetween(120, 136);
        }
    }

    @Test
    void followsALinearRampWithinOneLevel() throws Exception {
        BufferedImage ramp = new BufferedImage(1024, 1024, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 1024; y++) {
            for (int x = 0; x < 1024; x++) {
                int v = x / 4;
                ramp.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        byte[] rgb = new ModelInputResizer(256, 8).resize(compact(ramp));
        for (int x = 1; x < 255; x++) {
            assertThat(pixel(rgb, 256, x, 128)[0]).as("x=%d", x).isBetween(x - 1, x + 1);
        }
    }

    @Test
    void upscalesSmallImagesBilinearly() throws Exception {
        BufferedImage small = TestImages.quadrants(20, 20, Color.BLACK, Color.BLACK, Color.WHITE, Color.WHITE);
        byte[] rgb = new ModelInputResizer(64, 8).resize(compact(small));
        assertThat(pixel(rgb, 64, 30, 0)).containsExactly(0, 0, 0);
        assertThat(pixel(rgb, 64, 30, 63)).containsExactly(255, 255, 255);
        int middle = pixel(rgb, 64, 30, 32)[0];
        assertThat(middle).as("a smooth transition, not a hard nearest-neighbour edge").isBetween(100, 255);
        assertThat(pixel(rgb, 64, 30, 31)[0]).isBetween(1, 200);
    }

    @Test
    void decodesAndResizesTheSamplePhotosQuickly() throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        ModelInputResizer resizer = new ModelInputResizer(128, 8);
        long start = System.nanoTime();
        int images = 0;
        for (Path file : TestImages.samplePhotoFiles()) {
            assertThat(resizer.resize(decoder.decode(TestImages.read(file)))).hasSize(128 * 128 * 3);
            images++;
        }
        double millis = (System.nanoTime() - start) / 1e6;
        BufferedImage large = compact(TestImages.filled(4000, 3000, BufferedImage.TYPE_3BYTE_BGR, Color.ORANGE));
        ModelInputResizer to256 = new ModelInputResizer(256, 8);
        to256.resize(large);
        long largeStart = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            to256.resize(large);
        }
        System.out.printf("decode + resize to 128: %.2f ms per 256 px sample photo over %d; resize 4000x3000 -> 256: %.1f ms%n",
                millis / images, images, (System.nanoTime() - largeStart) / 5e6);
    }

    private static BufferedImage compact(BufferedImage image) throws ImageRejectedException {
        return SrgbConverter.toCompactBgr(image);
    }

    private static int[] pixel(byte[] rgb, int size, int x, int y) {
        int i = 3 * (y * size + x);
        return new int[]{rgb[i] & 0xFF, rgb[i + 1] & 0xFF, rgb[i + 2] & 0xFF};
    }
}
