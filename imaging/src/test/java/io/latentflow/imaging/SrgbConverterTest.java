package io.latentflow.imaging;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import io.latentflow.schemas.DeadLetterReason;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;

import static io.latentflow.imaging.TestImages.rgbAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SrgbConverterTest {

    @Test
    void returnsCompactBgrImagesUntouched() throws Exception {
        BufferedImage bgr = TestImages.filled(10, 10, BufferedImage.TYPE_3BYTE_BGR, Color.PINK);
        assertThat(SrgbConverter.toCompactBgr(bgr)).isSameAs(bgr);
    }

    @Test
    void copiesSubImageViewsIntoCompactImages() throws Exception {
        BufferedImage whole = TestImages.quadrants(20, 20, Color.RED, Color.GREEN, Color.BLUE, Color.WHITE);
        BufferedImage view = whole.getSubimage(10, 10, 10, 10);
        assertThat(SrgbConverter.isCompactBgr(view)).isFalse();
        BufferedImage compact = SrgbConverter.toCompactBgr(view);
        assertThat(SrgbConverter.isCompactBgr(compact)).isTrue();
        assertThat(rgbAt(compact, 0, 0)).containsExactly(255, 255, 255);
        assertThat(SrgbConverter.bgrBytes(compact)).hasSize(10 * 10 * 3);
    }

    @Test
    void convertsPackedAndPremultipliedLayouts() throws Exception {
        BufferedImage intRgb = TestImages.filled(4, 4, BufferedImage.TYPE_INT_RGB, new Color(1, 2, 3));
        assertThat(rgbAt(SrgbConverter.toCompactBgr(intRgb), 1, 1)).containsExactly(1, 2, 3);

        BufferedImage ushort565 = TestImages.filled(4, 4, BufferedImage.TYPE_USHORT_565_RGB, new Color(255, 255, 0));
        assertThat(rgbAt(SrgbConverter.toCompactBgr(ushort565), 1, 1)).containsExactly(255, 255, 0);

        BufferedImage premultiplied = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB_PRE);
        premultiplied.setRGB(0, 0, 0x800000FF); // half-transparent blue, stored premultiplied
        premultiplied.setRGB(1, 0, 0x00000000);
        BufferedImage converted = SrgbConverter.toCompactBgr(premultiplied);
        int[] halfBlue = rgbAt(converted, 0, 0);
        assertThat(halfBlue[0]).isBetween(126, 128);
        assertThat(halfBlue[2]).isEqualTo(255);
        assertThat(rgbAt(converted, 1, 0)).containsExactly(255, 255, 255);
    }

    @Test
    void refusesCmykLeftUnconvertedAndFloatingPointSamples() {
        ColorSpace cmyk = ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
        ComponentColorModel cmykModel = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        BufferedImage rawCmyk = new BufferedImage(cmykModel, cmykModel.createCompatibleWritableRaster(4, 4), false, null);
        ImageRejectedException refused = catchThrowableOfType(ImageRejectedException.class, () -> SrgbConverter.toCompactBgr(rawCmyk));
        assertThat(refused.reason()).isEqualTo(DeadLetterReason.UNSUPPORTED_COLOR_MODEL);
        assertThat(refused.getMessage()).contains("CMYK");

        ComponentColorModel floatModel = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_FLOAT);
        BufferedImage floats = new BufferedImage(floatModel, floatModel.createCompatibleWritableRaster(4, 4), false, null);
        assertThat(catchThrowableOfType(ImageRejectedException.class, () -> SrgbConverter.toCompactBgr(floats)).reason())
                .isEqualTo(DeadLetterReason.UNSUPPORTED_COLOR_MODEL);
    }

    @Test
    void bgrBytesRefusesImagesThatAreNotCompactBgr() {
        BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        assertThatThrownBy(() -> SrgbConverter.bgrBytes(argb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("toCompactBgr");
    }
}
