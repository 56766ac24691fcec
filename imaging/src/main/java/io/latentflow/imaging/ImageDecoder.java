package io.latentflow.imaging;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import io.latentflow.schemas.DeadLetterReason;

import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ServiceRegistry;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns the encoded bytes of one image into an upright, opaque 8-bit sRGB image (compact
 * {@link BufferedImage#TYPE_3BYTE_BGR}), or refuses it with a dead-letter reason.
 *
 * <p>Refusals cost as little as possible: size limits before anything is parsed, the format from magic bytes, and
 * width x height from the header before a single pixel is decoded, so a decompression bomb costs a header read.
 *
 * <p>Holds only its limits and is serialisable. Thread-safe: every call creates (and disposes) its own ImageIO reader.
 */
public final class ImageDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ImageLimits limits;

    public ImageDecoder(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ImageDecoder() {
        this(ImageLimits.DEFAULTS);
    }

    public ImageLimits limits() {
        return limits;
    }

    /**
     * Decodes, validates, converts to 8-bit sRGB (alpha composited on white) and turns upright by EXIF orientation.
     *
     * @return a compact {@code TYPE_3BYTE_BGR} image (see {@link SrgbConverter#bgrBytes})
     * @throws ImageRejectedException with MISSING_PAYLOAD, TOO_MANY_BYTES, UNSUPPORTED_FORMAT, TOO_MANY_PIXELS,
     *                                IMAGE_TOO_SMALL, CORRUPT_IMAGE or UNSUPPORTED_COLOR_MODEL
     */
    public BufferedImage decode(byte[] bytes) throws ImageRejectedException {
        if (bytes == null || bytes.length == 0) {
            throw new ImageRejectedException(DeadLetterReason.MISSING_PAYLOAD,
                    "the image payload is empty: send the encoded image bytes (" + ImageFormat.SUPPORTED + ")");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new ImageRejectedException(DeadLetterReason.TOO_MANY_BYTES,
                    "the image is " + megabytes(bytes.length) + ", over the limit of " + megabytes(limits.maxBytes())
                            + ": recompress or downscale it before sending, or raise maxBytes");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == ImageFormat.BMP) {
            // The JDK's BMP reader fails a header whose size exceeds the data as "invalid", which would read as a
            // corrupt file: the size it declares is checked first so that a bomb is refused as what it is.
            checkDimensions(format, bmpWidth(bytes), Math.abs(bmpHeight(bytes)));
        }
        if (format == ImageFormat.JPEG) {
            refuseUnlessEightBit(bytes);
        }
        ImageReader reader = Readers.create(format);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage decoded;
        int orientation;
        try (ImageInputStream input = new ByteArrayImageInputStream(bytes)) {
            reader.setInput(input, true, true);
            checkDimensions(format, reader.getWidth(0), reader.getHeight(0));
            decoded = reader.read(0);
            refuseIfTruncated(format, warnings);
            orientation = format == ImageFormat.JPEG ? ExifOrientation.of(bytes) : ExifOrientation.AS_STORED;
        } catch (IOException | RuntimeException e) {
            // Readers report broken data with whatever exception their parser hits (IIOException, EOFException,
            // IndexOutOfBoundsException, ...): all of them mean the bytes are not a readable image.
            throw new ImageRejectedException(DeadLetterReason.CORRUPT_IMAGE,
                    "the " + format + " data is corrupt or truncated (" + describe(e) + "): re-export the image and send it again");
        } finally {
            reader.dispose();
        }
        // Conversion and orientation are this project's code, outside the try: an exception there is a bug, not a bad
        // image, and must fail the job loudly rather than dead-letter every image while the job looks healthy.
        BufferedImage srgb = SrgbConverter.toCompactBgr(decoded);
        ICC_Profile profile = format == ImageFormat.PNG ? PngIccProfile.of(bytes) : null;
        if (profile != null) {
            srgb = SrgbConverter.fromProfile(srgb, profile);
        }
        return ExifOrientation.apply(srgb, orientation);
    }

    private void checkDimensions(ImageFormat format, int width, int height) throws ImageRejectedException {
        if (width <= 0 || height <= 0) {
            throw new ImageRejectedException(DeadLetterReason.CORRUPT_IMAGE,
                    "the " + format + " header gives an impossible size " + width + "x" + height + ": re-export the image");
        }
        long pixels = (long) width * height;
        if (pixels > limits.maxPixels()) {
            throw new ImageRejectedException(DeadLetterReason.TOO_MANY_PIXELS,
                    "the image is " + width + "x" + height + " = " + megapixels(pixels) + ", over the limit of "
                            + megapixels(limits.maxPixels()) + ": downscale it before sending, or raise maxPixels");
        }
        if (Math.min(width, height) < limits.minSide()) {
            throw new ImageRejectedException(DeadLetterReason.IMAGE_TOO_SMALL,
                    "the image is " + width + "x" + height + " px; both sides must be at least " + limits.minSide()
                            + " px: send a larger image");
        }
    }

    /**
     * The JDK's libjpeg is built for 8-bit samples and reports a 12-bit (medical, some raw converters) file as a
     * broken structure, which would send the sender looking for corruption that is not there.
     */
    private static void refuseUnlessEightBit(byte[] jpeg) throws ImageRejectedException {
        int precision = JpegSegments.samplePrecision(jpeg);
        if (precision != 8) {
            throw new ImageRejectedException(DeadLetterReason.UNSUPPORTED_COLOR_MODEL,
                    "the JPEG has " + precision + "-bit samples; only 8-bit JPEGs are read: convert it to an 8-bit "
                            + "JPEG or to a 16-bit PNG");
        }
    }

    /** Width from a BMP header: 16 bits in the old 12-byte core header, 32 bits in every later one. */
    private static int bmpWidth(byte[] bmp) {
        return ImageFormat.bmpDibHeaderSize(bmp) == 12 ? u16le(bmp, 18) : s32le(bmp, 18);
    }

    /** Height from a BMP header; negative for rows stored top-down. */
    private static int bmpHeight(byte[] bmp) {
        if (ImageFormat.bmpDibHeaderSize(bmp) == 12) {
            return u16le(bmp, 20);
        }
        return bmp.length < 26 ? 0 : s32le(bmp, 22);
    }

    private static int u16le(byte[] b, int offset) {
        return b.length < offset + 2 ? 0 : (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8;
    }

    private static int s32le(byte[] b, int offset) {
        return b.length < offset + 4 ? 0 : u16le(b, offset) | u16le(b, offset + 2) << 16;
    }

    /**
     * Readers of JPEG decode what is there and only warn when data is missing, filling the rest with grey: such an
     * image looks valid but is not what was sent, so a truncation warning refuses it. PNG, GIF and BMP readers throw.
     */
    private static void refuseIfTruncated(ImageFormat format, List<String> warnings) throws ImageRejectedException {
        for (String warning : warnings) {
            String w = warning.toLowerCase(Locale.ROOT);
            if (w.contains("truncated") || w.contains("premature end") || w.contains("missing eoi")) {
                throw new ImageRejectedException(DeadLetterReason.CORRUPT_IMAGE,
                        "the " + format + " data is truncated (" + warning + "): send the complete file");
            }
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }

    private static String megapixels(long pixels) {
        return String.format(Locale.ROOT, "%.1f MP", pixels / 1e6);
    }

    /** The ImageIO readers used, resolved once per JVM. */
    private static final class Readers {

        private static final ImageReaderSpi JPEG = twelveMonkeysJpeg();
        private static final ImageReaderSpi PNG = jdkReader("png");
        private static final ImageReaderSpi GIF = jdkReader("gif");
        private static final ImageReaderSpi BMP = jdkReader("bmp");

        static ImageReader create(ImageFormat format) throws ImageRejectedException {
            ImageReaderSpi spi = switch (format) {
                case JPEG -> JPEG;
                case PNG -> PNG;
                case GIF -> GIF;
                case BMP -> BMP;
            };
            try {
                return spi.createReaderInstance(null);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create an ImageIO reader for " + format, e);
            }
        }

        /**
         * The TwelveMonkeys JPEG reader (CMYK/YCCK, ICC profiles, more lenient with real-world files) needs the JDK's
         * reader as its delegate, which it finds only when registered in a registry. It is registered in a private
         * one rather than ImageIO's global registry: that one is initialised once per JVM with whatever class loader
         * came first (in a Flink task manager, not the job's), and pinning job classes in it would leak them.
         */
        private static ImageReaderSpi twelveMonkeysJpeg() {
            ServiceRegistry registry = new ServiceRegistry(List.<Class<?>>of(ImageReaderSpi.class).iterator());
            registry.registerServiceProvider(jdkSpi("com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi"), ImageReaderSpi.class);
            JPEGImageReaderSpi spi = new JPEGImageReaderSpi();
            registry.registerServiceProvider(spi, ImageReaderSpi.class);
            return spi;
        }

        private static ImageReaderSpi jdkReader(String formatName) {
            return jdkSpi("com.sun.imageio.plugins." + formatName + "." + formatName.toUpperCase(Locale.ROOT) + "ImageReaderSpi");
        }

        private static ImageReaderSpi jdkSpi(String className) {
            Iterator<ImageReaderSpi> providers = IIORegistry.getDefaultInstance().getServiceProviders(ImageReaderSpi.class, false);
            while (providers.hasNext()) {
                ImageReaderSpi provider = providers.next();
                if (provider.getClass().getName().equals(className)) {
                    return provider;
                }
            }
            throw new IllegalStateException("the JDK's ImageIO reader " + className + " is missing from this Java runtime");
        }
    }
}
