package io.latentflow.imaging;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class ExifOrientationTest {

    private final byte[] plainJpeg = TestImages.jpeg(TestImages.filled(32, 16, BufferedImage.TYPE_3BYTE_BGR, Color.GRAY), 0.9f);

    @Test
    void readsTheTagInBothByteOrders() {
        assertThat(ExifOrientation.of(TestImages.withExifOrientation(plainJpeg, 6, true))).isEqualTo(6);
        assertThat(ExifOrientation.of(TestImages.withExifOrientation(plainJpeg, 8, false))).isEqualTo(8);
    }

    @Test
    void meansAsStoredWithoutExifOrWhenTheSegmentIsBroken() {
        assertThat(ExifOrientation.of(plainJpeg)).isEqualTo(ExifOrientation.AS_STORED);
        assertThat(ExifOrientation.of(TestImages.withExifOrientation(plainJpeg, 9, true))).as("out of range").isEqualTo(1);
        byte[] tagged = TestImages.withExifOrientation(plainJpeg, 6, false);
        for (int cut = 2; cut < 34; cut++) { // the orientation entry ends at byte 34
            assertThat(ExifOrientation.of(Arrays.copyOf(tagged, cut))).as("cut at %d", cut).isEqualTo(1);
        }
        byte[] badByteOrder = tagged.clone();
        badByteOrder[10] = 'X';
        assertThat(ExifOrientation.of(badByteOrder)).isEqualTo(1);
        byte[] hugeIfdOffset = tagged.clone();
        hugeIfdOffset[14] = (byte) 0x7F;
        assertThat(ExifOrientation.of(hugeIfdOffset)).isEqualTo(1);
    }

    @Test
    void leavesImagesAsStoredForOrientationOne() throws Exception {
        BufferedImage image = SrgbConverter.toCompactBgr(TestImages.filled(8, 4, BufferedImage.TYPE_3BYTE_BGR, Color.RED));
        assertThat(ExifOrientation.apply(image, 1)).isSameAs(image);
        assertThat(ExifOrientation.apply(image, 6).getWidth()).isEqualTo(4);
    }
}
