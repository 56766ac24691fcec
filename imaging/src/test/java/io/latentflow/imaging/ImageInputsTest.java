package io.latentflow.imaging;

import io.latentflow.schemas.DeadLetterReason;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static io.latentflow.imaging.ImageDecoderTest.refusal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inputs seen in the wild that the common formats allow but rarely use: each is decoded correctly or refused with
 * the reason the encode job dead-letters it under. Fixtures come from src/test/python/make_input_fixtures.py.
 */
class ImageInputsTest {

    private final ImageDecoder decoder = new ImageDecoder();

    @Test
    void decodesAnAdam7InterlacedPngToTheSamePixelsAsItsNonInterlacedTwin() throws Exception {
        BufferedImage interlaced = decoder.decode(TestImages.fixture("pattern-adam7.png"));
        BufferedImage plain = decoder.decode(TestImages.fixture("pattern.png"));
        assertThat(interlaced.getWidth()).isEqualTo(37);
        assertThat(interlaced.getHeight()).isEqualTo(29);
        assertThat(SrgbConverter.bgrBytes(interlaced)).isEqualTo(SrgbConverter.bgrBytes(plain));
        assertThat(TestImages.rgbAt(plain, 36, 28)).containsExactly(36 * 7 % 256, 28 * 9 % 256, (36 * 28 + 31) % 256);
    }

    @Test
    void refusesHeicAndAvifNamingTheFormat() {
        ImageRejectedException heic = refusal(decoder, TestImages.fixture("heic-ftyp.heic"));
        assertThat(heic.reason()).isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT);
        assertThat(heic.getMessage()).contains("HEIF/HEIC").contains("JPEG, PNG");
        ImageRejectedException avif = refusal(decoder, TestImages.fixture("avif-ftyp.avif"));
        assertThat(avif.reason()).isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT);
        assertThat(avif.getMessage()).contains("AVIF");
    }

    @Test
    void decodesAPngWithA5MegabyteTextChunkIgnoringTheText() throws Exception {
        byte[] png = TestImages.fixture("pattern.png");
        assertDecodesAs(png, TestImages.withPngChunk(png, "tEXt", startingWith("Comment\0", 5 * 1024 * 1024)));
    }

    @Test
    void decodesAPngWhoseCompressedIccChunkInflatesToAGigabyteIgnoringIt() throws Exception {
        byte[] png = TestImages.fixture("pattern.png");
        byte[] bomb = TestImages.withPngChunk(png, "iCCP", iccpChunk(zerosDeflated(1L << 30)));
        assertThat(bomb.length).as("a gigabyte of zeros deflates to about a megabyte").isLessThan(2 * 1024 * 1024);
        assertDecodesAs(png, bomb);
    }

    @Test
    void decodesAPngWithAnUnreadableIccProfileAsStored() throws Exception {
        byte[] png = TestImages.fixture("pattern.png");
        byte[] garbage = startingWith("not a profile", 4096);
        assertDecodesAs(png, TestImages.withPngChunk(png, "iCCP", iccpChunk(deflated(garbage))));
    }

    @Test
    void decodesAJpegWith15MegabytesOfExifSegmentsReadingTheOrientationFromTheFirst() throws Exception {
        byte[] jpeg = TestImages.samplePhoto();
        byte[] huge = TestImages.withJpegSegments(jpeg, 0xE1, startingWith("Exif\0\0MM", 65_000), 240);
        assertThat(huge.length).isGreaterThan(15_000_000);
        assertDecodesAs(jpeg, huge);
    }

    @Test
    void decodesAJpegWith8MegabytesOfUnreadableIccProfileSegmentsIgnoringThem() throws Exception {
        byte[] jpeg = TestImages.samplePhoto();
        // Chunk 1 of 1 in every segment: a profile sent over and over, each copy unreadable.
        byte[] garbage = startingWith("ICC_PROFILE\0\1\1", 65_000);
        assertDecodesAs(jpeg, TestImages.withJpegSegments(jpeg, 0xE2, garbage, 128));
    }

    @Test
    void refusesA12BitJpegAsAnUnsupportedColourModelRatherThanCorrupt() {
        ImageRejectedException refused = refusal(decoder, TestImages.fixture("twelve-bit.jpg"));
        assertThat(refused.reason()).isEqualTo(DeadLetterReason.UNSUPPORTED_COLOR_MODEL);
        assertThat(refused.getMessage()).contains("12-bit");
    }

    /** Decodes {@code grown} (the original plus metadata) to the very pixels of {@code original}. */
    private void assertDecodesAs(byte[] original, byte[] grown) throws ImageRejectedException {
        assertThat(SrgbConverter.bgrBytes(decoder.decode(grown))).isEqualTo(SrgbConverter.bgrBytes(decoder.decode(original)));
    }

    /** {@code size} bytes: the Latin-1 {@code header}, then filler. */
    private static byte[] startingWith(String header, int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'a');
        byte[] head = header.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(head, 0, bytes, 0, head.length);
        return bytes;
    }

    /** An iCCP chunk: a profile name, a NUL, compression method 0 (deflate), then the compressed profile. */
    private static byte[] iccpChunk(byte[] deflated) {
        byte[] name = "bomb\0\0".getBytes(StandardCharsets.ISO_8859_1);
        byte[] chunk = Arrays.copyOf(name, name.length + deflated.length);
        System.arraycopy(deflated, 0, chunk, name.length, deflated.length);
        return chunk;
    }

    private static byte[] zerosDeflated(long count) {
        var out = new ByteArrayOutputStream();
        try (var deflate = new DeflaterOutputStream(out, new Deflater(9), 1 << 16)) {
            byte[] block = new byte[1 << 20];
            for (long written = 0; written < count; written += block.length) {
                deflate.write(block);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] deflated(byte[] data) {
        var out = new ByteArrayOutputStream();
        try (var deflate = new DeflaterOutputStream(out)) {
            deflate.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
