package io.latentflow.imaging;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Builds the images the tests feed the decoder: encoded by ImageIO, or byte by byte where ImageIO cannot. */
final class TestImages {

    private TestImages() {
    }

    static Path samplePhotos() {
        return Path.of(System.getProperty("latentflow.home"), "samples", "photos");
    }

    static List<Path> samplePhotoFiles() {
        try (Stream<Path> files = Files.list(samplePhotos())) {
            return files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] samplePhoto() {
        return read(samplePhotoFiles().get(0));
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedImage filled(int width, int height, int type, Color colour) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /** Four solid quadrants, so where each ends up after a transform is easy to check even after JPEG compression. */
    static BufferedImage quadrants(int width, int height, Color topLeft, Color topRight, Color bottomLeft, Color bottomRight) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        int halfW = width / 2;
        int halfH = height / 2;
        g.setColor(topLeft);
        g.fillRect(0, 0, halfW, halfH);
        g.setColor(topRight);
        g.fillRect(halfW, 0, width - halfW, halfH);
        g.setColor(bottomLeft);
        g.fillRect(0, halfH, halfW, height - halfH);
        g.setColor(bottomRight);
        g.fillRect(halfW, halfH, width - halfW, height - halfH);
        g.dispose();
        return image;
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] jpeg(BufferedImage image, float quality) {
        return jpeg(image, param -> {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
        });
    }

    static byte[] progressiveJpeg(BufferedImage image) {
        return jpeg(image, param -> param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT));
    }

    private static byte[] jpeg(BufferedImage image, Consumer<ImageWriteParam> settings) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        settings.accept(param);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** An animated GIF: each frame a full-size solid colour, 10 ms apart, looping. */
    static byte[] animatedGif(int width, int height, Color... frames) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (Color colour : frames) {
                BufferedImage frame = filled(width, height, BufferedImage.TYPE_BYTE_INDEXED, colour);
                ImageWriteParam param = writer.getDefaultWriteParam();
                IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), param);
                String format = metadata.getNativeMetadataFormatName();
                IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
                IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
                control.setAttribute("disposalMethod", "none");
                control.setAttribute("userInputFlag", "FALSE");
                control.setAttribute("transparentColorFlag", "FALSE");
                control.setAttribute("delayTime", "1");
                control.setAttribute("transparentColorIndex", "0");
                root.appendChild(control);
                metadata.setFromTree(format, root);
                writer.writeToSequence(new IIOImage(frame, null, metadata), param);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** The JPEG with an APP1 Exif segment holding only the orientation tag, inserted right after SOI. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        writeU16(tiff, littleEndian ? 0x4949 : 0x4D4D, false); // "II" or "MM"
        writeU16(tiff, 42, littleEndian);
        writeU32(tiff, 8, littleEndian);
        writeU16(tiff, 1, littleEndian); // one IFD entry
        writeU16(tiff, 0x0112, littleEndian);
        writeU16(tiff, 3, littleEndian); // SHORT
        writeU32(tiff, 1, littleEndian);
        writeU16(tiff, orientation, littleEndian);
        writeU16(tiff, 0, littleEndian); // padding of the 4-byte value field
        writeU32(tiff, 0, littleEndian); // no next IFD
        byte[] exifHeader = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        writeU16(out, 2 + exifHeader.length + tiff.size(), false);
        out.writeBytes(exifHeader);
        out.writeBytes(tiff.toByteArray());
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A JPEG whose frame header (SOF) claims a different size than its data holds. */
    static byte[] withFrameSize(byte[] jpeg, int width, int height) {
        byte[] patched = jpeg.clone();
        for (int i = 2; i + 9 < patched.length; i++) {
            int marker = patched[i + 1] & 0xFF;
            if ((patched[i] & 0xFF) == 0xFF && (marker == 0xC0 || marker == 0xC1 || marker == 0xC2)) {
                patched[i + 5] = (byte) (height >> 8);
                patched[i + 6] = (byte) height;
                patched[i + 7] = (byte) (width >> 8);
                patched[i + 8] = (byte) width;
                return patched;
            }
        }
        throw new IllegalArgumentException("no SOF marker found");
    }

    /**
     * A valid 8-bit greyscale PNG of one uniform value, built row by row so that a huge image (a real decompression
     * bomb) costs the test only its compressed bytes.
     */
    static byte[] uniformGreyPng(int width, int height, int value) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(compressed, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            byte[] row = new byte[width + 1]; // filter type 0, then the samples
            Arrays.fill(row, 1, row.length, (byte) value);
            for (int y = 0; y < height; y++) {
                deflate.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png(width, height, compressed.toByteArray());
    }

    /** A PNG whose header claims {@code width x height} but whose image data is a few bytes: a lying bomb. */
    static byte[] lyingPng(int width, int height) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(compressed)) {
            deflate.write(new byte[64]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png(width, height, compressed.toByteArray());
    }

    private static byte[] png(int width, int height, byte[] idat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        writeU32(ihdr, width, false);
        writeU32(ihdr, height, false);
        ihdr.writeBytes(new byte[]{8, 0, 0, 0, 0}); // 8-bit greyscale, deflate, no filter, not interlaced
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        writeU32(out, data.length, false);
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        writeU32(out, crc.getValue(), false);
    }

    private static void writeU16(ByteArrayOutputStream out, int value, boolean littleEndian) {
        if (littleEndian) {
            out.write(value & 0xFF);
            out.write((value >> 8) & 0xFF);
        } else {
            out.write((value >> 8) & 0xFF);
            out.write(value & 0xFF);
        }
    }

    private static void writeU32(ByteArrayOutputStream out, long value, boolean littleEndian) {
        if (littleEndian) {
            writeU16(out, (int) (value & 0xFFFF), true);
            writeU16(out, (int) ((value >> 16) & 0xFFFF), true);
        } else {
            writeU16(out, (int) ((value >> 16) & 0xFFFF), false);
            writeU16(out, (int) (value & 0xFFFF), false);
        }
    }

    /** A fixture written by src/test/python/make_input_fixtures.py. */
    static byte[] fixture(String name) {
        try (var in = TestImages.class.getResourceAsStream("/inputs/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture inputs/" + name + ": run src/test/python/make_input_fixtures.py");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PNG with one more chunk right after its IHDR (which is always 8 + 25 bytes in). */
    static byte[] withPngChunk(byte[] png, String type, byte[] data) {
        int afterHeader = 8 + 25;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterHeader);
        chunk(out, type, data);
        out.write(png, afterHeader, png.length - afterHeader);
        return out.toByteArray();
    }

    /**
     * The JPEG with {@code count} extra segments right after its SOI marker, each {@code marker} followed by
     * {@code payload} (at most 65533 bytes, a segment's limit).
     */
    static byte[] withJpegSegments(byte[] jpeg, int marker, byte[] payload, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (int i = 0; i < count; i++) {
            out.write(0xFF);
            out.write(marker);
            writeU16(out, payload.length + 2, false);
            out.writeBytes(payload);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Red, green, blue of a pixel of a decoded image. */
    static int[] rgbAt(BufferedImage image, int x, int y) {
        int argb = image.getRGB(x, y);
        return new int[]{(argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF};
    }
}
