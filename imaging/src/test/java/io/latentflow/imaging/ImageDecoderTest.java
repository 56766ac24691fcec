package io.latentflow.imaging;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import io.latentflow.schemas.DeadLetterReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static io.latentflow.imaging.TestImages.rgbAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder();

    @Test
    void decodesEverySamplePhotoToCompactBgrWithTheSamePixelsAsImageIo() throws Exception {
        int greyPhotos = 0;
        for (Path file : TestImages.samplePhotoFiles()) {
            byte[] bytes = TestImages.read(file);
            BufferedImage decoded = decoder.decode(bytes);
            assertThat(SrgbConverter.isCompactBgr(decoded)).as(file.toString()).isTrue();
            BufferedImage reference = ImageIO.read(new ByteArrayInputStream(bytes));
            assertThat(decoded.getWidth()).isEqualTo(reference.getWidth());
            assertThat(decoded.getHeight()).isEqualTo(reference.getHeight());
            int[] ours = decoded.getRGB(0, 0, decoded.getWidth(), decoded.getHeight(), null, 0, decoded.getWidth());
            assertThat(ours).as(file.toString()).isEqualTo(gammaEncodedRgb(reference));
            greyPhotos += reference.getType() == BufferedImage.TYPE_BYTE_GRAY ? 1 : 0;
        }
        assertThat(TestImages.samplePhotoFiles()).hasSizeGreaterThan(100);
        assertThat(greyPhotos).as("the samples include greyscale JPEGs").isPositive();
    }

    /**
     * ImageIO's getRGB treats greyscale as linear light and brightens it (179 becomes 218); JPEG grey is encoded like
     * sRGB, so the expected RGB repeats the stored grey sample.
     */
    private static int[] gammaEncodedRgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        if (image.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            return image.getRGB(0, 0, width, height, null, 0, width);
        }
        int[] grey = image.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
        return Arrays.stream(grey).map(v -> 0xFF000000 | v << 16 | v << 8 | v).toArray();
    }

    @Test
    void keepsPrimaryColoursOfAnRgbPngExactly() throws Exception {
        BufferedImage image = TestImages.quadrants(32, 32, Color.RED, Color.GREEN, Color.BLUE, new Color(10, 20, 30));
        BufferedImage decoded = decoder.decode(TestImages.encode(image, "png"));
        assertThat(rgbAt(decoded, 4, 4)).containsExactly(255, 0, 0);
        assertThat(rgbAt(decoded, 28, 4)).containsExactly(0, 255, 0);
        assertThat(rgbAt(decoded, 4, 28)).containsExactly(0, 0, 255);
        assertThat(rgbAt(decoded, 28, 28)).containsExactly(10, 20, 30);
    }

    @Test
    void copiesGreyValuesUnchangedInsteadOfTreatingThemAsLinearLight() throws Exception {
        BufferedImage grey = new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY);
        fillSamples(grey.getRaster(), 100);
        BufferedImage decoded = decoder.decode(TestImages.encode(grey, "png"));
        assertThat(rgbAt(decoded, 10, 10)).containsExactly(100, 100, 100);
    }

    @Test
    void scalesSixteenBitGreyAndRgbToEightBits() throws Exception {
        BufferedImage grey16 = new BufferedImage(20, 20, BufferedImage.TYPE_USHORT_GRAY);
        fillSamples(grey16.getRaster(), 0x8080);
        assertThat(rgbAt(decoder.decode(TestImages.encode(grey16, "png")), 3, 3)).containsExactly(128, 128, 128);

        ComponentColorModel rgb16Model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = rgb16Model.createCompatibleWritableRaster(20, 20);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                raster.setPixel(x, y, new int[]{65535, 32768, 257});
            }
        }
        byte[] png16 = TestImages.encode(new BufferedImage(rgb16Model, raster, false, null), "png");
        assertThat(png16[24]).as("PNG bit depth").isEqualTo((byte) 16);
        assertThat(rgbAt(decoder.decode(png16), 7, 7)).containsExactly(255, 128, 1);
    }

    @Test
    void compositesTransparencyOnWhite() throws Exception {
        BufferedImage argb = new BufferedImage(20, 20, BufferedImage.TYPE_INT_ARGB);
        for (int x = 0; x < 20; x++) {
            for (int y = 0; y < 10; y++) {
                argb.setRGB(x, y, 0x00000000); // fully transparent black
            }
            for (int y = 10; y < 20; y++) {
                argb.setRGB(x, y, 0x80FF0000); // half-transparent red
            }
        }
        BufferedImage decoded = decoder.decode(TestImages.encode(argb, "png"));
        assertThat(rgbAt(decoded, 5, 5)).containsExactly(255, 255, 255);
        assertThat(rgbAt(decoded, 5, 15)).containsExactly(255, 127, 127);
    }

    @Test
    void convertsAPalettePngWithATransparentEntry() throws Exception {
        IndexColorModel palette = new IndexColorModel(8, 2, new byte[]{(byte) 200, 0}, new byte[]{50, 0}, new byte[]{25, 0}, 1);
        BufferedImage indexed = new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_INDEXED, palette);
        WritableRaster raster = indexed.getRaster();
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                raster.setSample(x, y, 0, x < 10 ? 0 : 1);
            }
        }
        BufferedImage decoded = decoder.decode(TestImages.encode(indexed, "png"));
        assertThat(rgbAt(decoded, 2, 2)).containsExactly(200, 50, 25);
        assertThat(rgbAt(decoded, 15, 2)).containsExactly(255, 255, 255);
    }

    @Test
    void decodesABilevelPng() throws Exception {
        BufferedImage bilevel = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_BINARY);
        bilevel.getRaster().setSample(3, 3, 0, 1);
        BufferedImage decoded = decoder.decode(TestImages.encode(bilevel, "png"));
        assertThat(rgbAt(decoded, 3, 3)).containsExactly(255, 255, 255);
        assertThat(rgbAt(decoded, 4, 3)).containsExactly(0, 0, 0);
    }

    @Test
    void decodesProgressiveJpegsAndRefusesTruncatedOnes() throws Exception {
        BufferedImage photo = decoder.decode(TestImages.samplePhoto());
        byte[] progressive = TestImages.progressiveJpeg(photo);
        BufferedImage decoded = decoder.decode(progressive);
        assertThat(decoded.getWidth()).isEqualTo(photo.getWidth());
        assertThat(reasonFor(Arrays.copyOf(progressive, progressive.length * 8 / 10))).isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
    }

    @Test
    void readsOnlyTheFirstFrameOfAnAnimatedGif() throws Exception {
        byte[] gif = TestImages.animatedGif(24, 24, Color.RED, Color.BLUE, Color.GREEN);
        BufferedImage decoded = decoder.decode(gif);
        assertThat(decoded.getWidth()).isEqualTo(24);
        assertThat(rgbAt(decoded, 12, 12)).containsExactly(255, 0, 0);
    }

    @Test
    void decodesBmp() throws Exception {
        BufferedImage image = TestImages.quadrants(40, 30, Color.RED, Color.GREEN, Color.BLUE, Color.WHITE);
        BufferedImage decoded = decoder.decode(TestImages.encode(image, "bmp"));
        assertThat(decoded.getWidth()).isEqualTo(40);
        assertThat(decoded.getHeight()).isEqualTo(30);
        assertThat(rgbAt(decoded, 2, 2)).containsExactly(255, 0, 0);
        assertThat(rgbAt(decoded, 38, 28)).containsExactly(255, 255, 255);
    }

    @Test
    void convertsACmykJpegToRgb() throws Exception {
        ColorSpace cmyk = ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
        ComponentColorModel model = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(64, 48);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                raster.setPixel(x, y, x < 32 ? new int[]{255, 0, 0, 0} : new int[]{0, 0, 0, 0}); // cyan | white
            }
        }
        byte[] jpeg = TestImages.jpeg(new BufferedImage(model, raster, false, null), 0.95f);
        assertThat(new String(jpeg, 6, 5, StandardCharsets.ISO_8859_1)).as("Adobe APP14 marker").isEqualTo("Adobe");

        BufferedImage decoded = decoder.decode(jpeg);
        assertThat(SrgbConverter.isCompactBgr(decoded)).isTrue();
        int[] left = rgbAt(decoded, 10, 20);
        int[] right = rgbAt(decoded, 54, 20);
        assertThat(left[0]).as("cyan has no red").isLessThan(40);
        assertThat(left[1]).isGreaterThan(150);
        assertThat(left[2]).isGreaterThan(200);
        assertThat(Arrays.stream(right).min().getAsInt()).as("white stays white").isGreaterThan(240);
    }

    /**
     * For each EXIF orientation, which corner of the upright picture the stored image's top-left, top-right,
     * bottom-left and bottom-right pixels show (EXIF 2.3, tag 0x0112: where row 0 and column 0 lie).
     */
    private static final Map<Integer, String[]> STORED_CORNERS_SHOW = Map.of(
            1, new String[]{"TL", "TR", "BL", "BR"},
            2, new String[]{"TR", "TL", "BR", "BL"},
            3, new String[]{"BR", "BL", "TR", "TL"},
            4, new String[]{"BL", "BR", "TL", "TR"},
            5, new String[]{"TL", "BL", "TR", "BR"},
            6, new String[]{"TR", "BR", "TL", "BL"},
            7, new String[]{"BR", "TR", "BL", "TL"},
            8, new String[]{"BL", "TL", "BR", "TR"});

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void turnsJpegsUprightByTheirExifOrientation(int orientation) throws Exception {
        Map<String, Color> upright = Map.of("TL", Color.RED, "TR", Color.GREEN, "BL", Color.BLUE, "BR", Color.WHITE);
        int uprightWidth = 96;
        int uprightHeight = 48;
        boolean swapped = orientation >= 5;
        String[] shows = STORED_CORNERS_SHOW.get(orientation);
        BufferedImage stored = TestImages.quadrants(swapped ? uprightHeight : uprightWidth, swapped ? uprightWidth : uprightHeight,
                upright.get(shows[0]), upright.get(shows[1]), upright.get(shows[2]), upright.get(shows[3]));
        byte[] jpeg = TestImages.withExifOrientation(TestImages.jpeg(stored, 0.95f), orientation, orientation % 2 == 0);
        assertThat(ExifOrientation.of(jpeg)).isEqualTo(orientation);

        BufferedImage decoded = decoder.decode(jpeg);

        assertThat(decoded.getWidth()).isEqualTo(uprightWidth);
        assertThat(decoded.getHeight()).isEqualTo(uprightHeight);
        assertColourNear(rgbAt(decoded, 12, 12), Color.RED);
        assertColourNear(rgbAt(decoded, 84, 12), Color.GREEN);
        assertColourNear(rgbAt(decoded, 12, 36), Color.BLUE);
        assertColourNear(rgbAt(decoded, 84, 36), Color.WHITE);
    }

    private static void assertColourNear(int[] rgb, Color expected) {
        int[] want = {expected.getRed(), expected.getGreen(), expected.getBlue()};
        for (int c = 0; c < 3; c++) {
            assertThat(Math.abs(rgb[c] - want[c])).as("channel %d of %s vs %s", c, Arrays.toString(rgb), expected).isLessThan(24);
        }
    }

    @Test
    void refusesEmptyAndMissingPayloads() {
        assertThat(reasonFor(new byte[0])).isEqualTo(DeadLetterReason.MISSING_PAYLOAD);
        assertThat(reasonFor(null)).isEqualTo(DeadLetterReason.MISSING_PAYLOAD);
    }

    @Test
    void refusesPayloadsOverTheByteLimitBeforeLookingAtThem() {
        byte[] photo = TestImages.samplePhoto();
        ImageDecoder strict = new ImageDecoder(new ImageLimits(photo.length - 1, ImageLimits.DEFAULT_MAX_PIXELS, 16));
        ImageRejectedException refused = refusal(strict, photo);
        assertThat(refused.reason()).isEqualTo(DeadLetterReason.TOO_MANY_BYTES);
        assertThat(refused.getMessage()).contains("over the limit").contains("maxBytes");
        byte[] textOverLimit = new byte[photo.length];
        Arrays.fill(textOverLimit, (byte) 'a');
        assertThat(refusal(strict, textOverLimit).reason()).isEqualTo(DeadLetterReason.TOO_MANY_BYTES);
    }

    @Test
    void refusesTextAndOtherFormatsNamingWhatTheyAre() throws Exception {
        ImageRejectedException text = refusal(decoder, "id,label\n1,cat\n2,dog\n".getBytes(StandardCharsets.UTF_8));
        assertThat(text.reason()).isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT);
        assertThat(text.getMessage()).contains("text").contains("JPEG, PNG, BMP or GIF");

        BufferedImage image = TestImages.filled(32, 32, BufferedImage.TYPE_3BYTE_BGR, Color.ORANGE);
        ImageRejectedException tiff = refusal(decoder, TestImages.encode(image, "tiff"));
        assertThat(tiff.reason()).isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT);
        assertThat(tiff.getMessage()).contains("TIFF");

        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(refusal(decoder, webp).getMessage()).contains("WebP");
        byte[] svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8);
        assertThat(refusal(decoder, svg).getMessage()).contains("SVG");
        assertThat(refusal(decoder, new byte[]{0, 1, 2, 3, 4, 5, 6, 7, 8}).getMessage()).contains("00 01 02 03");
    }

    @Test
    void refusesTruncatedJpegsThatImageIoWouldDecodeHalfGrey() {
        byte[] photo = TestImages.samplePhoto();
        assertThat(reasonFor(Arrays.copyOf(photo, photo.length * 6 / 10))).isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
        assertThat(reasonFor(Arrays.copyOf(photo, photo.length - 2))).as("only EOI missing").isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
        assertThat(reasonFor(Arrays.copyOf(photo, 40))).as("cut inside the header").isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "gif", "bmp"})
    void refusesTruncatedPngGifAndBmp(String format) {
        BufferedImage image = TestImages.quadrants(64, 64, Color.RED, Color.GREEN, Color.BLUE, Color.WHITE);
        byte[] complete = TestImages.encode(format.equals("gif") ? toIndexed(image) : image, format);
        assertThat(reasonFor(Arrays.copyOf(complete, complete.length / 2))).isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
        assertThat(reasonFor(Arrays.copyOf(complete, 30))).isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
    }

    @Test
    void refusesGarbageBehindAValidMagicNumber() {
        byte[] garbage = new byte[4000];
        new java.util.Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0xFF;
        garbage[1] = (byte) 0xD8;
        garbage[2] = (byte) 0xFF;
        ImageRejectedException refused = refusal(decoder, garbage);
        assertThat(refused.reason()).isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
        assertThat(refused.getMessage()).contains("JPEG");
    }

    @Test
    void refusesImagesWithASideBelowTheMinimum() {
        assertThat(reasonFor(TestImages.encode(TestImages.filled(8, 8, BufferedImage.TYPE_3BYTE_BGR, Color.RED), "png")))
                .isEqualTo(DeadLetterReason.IMAGE_TOO_SMALL);
        ImageRejectedException thin = refusal(decoder,
                TestImages.encode(TestImages.filled(300, 15, BufferedImage.TYPE_3BYTE_BGR, Color.RED), "png"));
        assertThat(thin.reason()).isEqualTo(DeadLetterReason.IMAGE_TOO_SMALL);
        assertThat(thin.getMessage()).contains("300x15").contains("16 px");
    }

    @Test
    void refusesAPngThatClaims50000By50000FromItsHeaderWithoutAllocatingPixels() throws Exception {
        byte[] bomb = TestImages.lyingPng(50_000, 50_000);
        assertThat(bomb.length).isLessThan(200);
        assertRefusedCheaply(bomb, "50000x50000");
    }

    @Test
    void refusesARealHighlyCompressiblePngOf144MegapixelsCheaply() throws Exception {
        byte[] bomb = TestImages.uniformGreyPng(12_000, 12_000, 77);
        assertThat(bomb.length).as("a 144 MP image in a few hundred KB").isLessThan(400_000);
        assertRefusedCheaply(bomb, "12000x12000");
    }

    @Test
    void refusesAJpegWhoseFrameHeaderClaims60000By60000() throws Exception {
        assertRefusedCheaply(TestImages.withFrameSize(TestImages.samplePhoto(), 60_000, 60_000), "60000x60000");
    }

    @Test
    void refusesAGifWhoseScreenClaims65535By65535WithoutAllocatingPixels() throws Exception {
        byte[] bomb = TestImages.fixture("bomb-65535x65535.gif");
        assertThat(bomb.length).isLessThan(100);
        assertRefusedCheaply(bomb, "65535x65535");
    }

    @Test
    void refusesABmpWhoseHeaderClaims50000By50000WithoutAllocatingPixels() throws Exception {
        byte[] bomb = TestImages.fixture("bomb-50000x50000.bmp");
        assertThat(bomb.length).isLessThan(100);
        assertRefusedCheaply(bomb, "50000x50000");
    }

    /** Refused with TOO_MANY_PIXELS while this thread allocated a few MB at most (decoding would take gigabytes). */
    private void assertRefusedCheaply(byte[] bomb, String size) throws Exception {
        decoder.decode(TestImages.samplePhoto()); // class loading and reader set-up are not the bomb's cost
        long allocatedBefore = allocatedByThisThread();
        long start = System.nanoTime();
        ImageRejectedException refused = refusal(decoder, bomb);
        long micros = (System.nanoTime() - start) / 1000;
        long allocated = allocatedByThisThread() - allocatedBefore;
        System.out.printf("bomb %s (%d bytes) refused in %d us, allocating %d bytes: %s%n", size, bomb.length, micros, allocated,
                refused.getMessage());
        assertThat(refused.reason()).isEqualTo(DeadLetterReason.TOO_MANY_PIXELS);
        assertThat(refused.getMessage()).contains(size).contains("40.0 MP");
        assertThat(allocated).isLessThan(4L * 1024 * 1024);
    }

    private static long allocatedByThisThread() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new ImageLimits(0, 1000, 16)).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new ImageLimits(1000, -1, 16)).hasMessageContaining("maxPixels");
        assertThatThrownBy(() -> new ImageLimits(1000, 1000, 0)).hasMessageContaining("minSide");
        assertThatThrownBy(() -> new ImageLimits(1000, 100, 16)).hasMessageContaining("minSide 16");
        assertThat(ImageLimits.DEFAULTS).isEqualTo(new ImageLimits(20L * 1024 * 1024, 40_000_000L, 16));
    }

    private static BufferedImage toIndexed(BufferedImage image) {
        BufferedImage indexed = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_INDEXED);
        indexed.createGraphics().drawImage(image, 0, 0, null);
        return indexed;
    }

    private static void fillSamples(WritableRaster raster, int value) {
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                raster.setSample(x, y, 0, value);
            }
        }
    }

    private DeadLetterReason reasonFor(byte[] bytes) {
        return refusal(decoder, bytes).reason();
    }

    static ImageRejectedException refusal(ImageDecoder decoder, byte[] bytes) {
        ImageRejectedException refused = catchThrowableOfType(ImageRejectedException.class, () -> decoder.decode(bytes));
        assertThat(refused).as("expected the decoder to refuse the input").isNotNull();
        assertThat(refused.getStackTrace()).as("expected refusals carry no stack trace").isEmpty();
        return refused;
    }
}
