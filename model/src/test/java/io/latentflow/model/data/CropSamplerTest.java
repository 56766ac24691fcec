package io.latentflow.model.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CropSamplerTest {

    /** A 10x6 image whose red value encodes x, green encodes y, blue is constant. */
    private static TrainingImage gradient() {
        int w = 10;
        int h = 6;
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = (byte) (x * 20);
                rgb[w * h + y * w + x] = (byte) (y * 40);
                rgb[2 * w * h + y * w + x] = (byte) 255;
            }
        }
        return new TrainingImage("g_s1_0.png", "g", w, h, rgb);
    }

    @Test
    void cropsAreWindowsOfTheImageInMinusOneToOnePossiblyMirrored() {
        CropSampler sampler = new CropSampler(List.of(gradient()), 4);
        float[] batch = sampler.sample(new SplittableRandom(3), 50);
        int plane = 16;
        boolean sawFlip = false;
        boolean sawPlain = false;
        for (int n = 0; n < 50; n++) {
            int base = n * 3 * plane;
            float red0 = batch[base];
            float red1 = batch[base + 1];
            float step = 20 / 127.5f;
            assertThat(Math.abs(red1 - red0)).isCloseTo(step, org.assertj.core.api.Assertions.within(1e-5f));
            sawFlip |= red1 < red0;
            sawPlain |= red1 > red0;
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    assertThat(batch[base + 2 * plane + y * 4 + x]).isEqualTo(1f);
                    assertThat(batch[base + plane + y * 4 + x]).as("rows are not mirrored")
                            .isEqualTo(batch[base + plane + y * 4]);
                }
            }
        }
        assertThat(sawFlip).isTrue();
        assertThat(sawPlain).isTrue();
    }

    @Test
    void sameGeneratorStateGivesTheSameBatch() {
        CropSampler sampler = new CropSampler(List.of(gradient()), 4);
        assertThat(sampler.sample(new SplittableRandom(5), 8)).containsExactly(
                sampler.sample(new SplittableRandom(5), 8));
    }

    @Test
    void imagesSmallerThanTheCropAreRefusedByName() {
        assertThatThrownBy(() -> new CropSampler(List.of(gradient()), 8))
                .hasMessageContaining("g_s1_0.png is 10x6").hasMessageContaining("--size");
    }
}
