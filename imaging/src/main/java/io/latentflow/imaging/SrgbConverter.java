package io.latentflow.imaging;

import io.latentflow.schemas.DeadLetterReason;

import java.awt.Transparency;
import java.awt.color.CMMException;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.ColorConvertOp;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PackedColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * Brings whatever a reader produced (greyscale, palette, alpha, 16 bits per sample, ...) to one layout: opaque 8-bit
 * sRGB in a {@link BufferedImage#TYPE_3BYTE_BGR} image whose bytes are tightly packed, so the resizer can read them
 * directly.
 *
 * <p>Samples are scaled, not colour-managed: Java2D would treat grey as linear light and brighten it, while the
 * grey in PNGs and JPEGs is gamma-encoded like sRGB, so grey values are copied to R, G and B as they are.
 * Embedded ICC profiles of JPEGs (including CMYK) are applied earlier, by the TwelveMonkeys reader; those of PNGs by
 * {@link #fromProfile}.
 */
public final class SrgbConverter {

    private static final int WHITE = 255;

    private SrgbConverter() {
    }

    /** True if {@code image} is opaque 8-bit BGR with no padding, offset or sub-image view: its bytes are the pixels. */
    public static boolean isCompactBgr(BufferedImage image) {
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            return false;
        }
        Raster raster = image.getRaster();
        if (!(raster.getSampleModel() instanceof PixelInterleavedSampleModel model)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer)) {
            return false;
        }
        int[] offsets = model.getBandOffsets();
        return model.getPixelStride() == 3
                && model.getScanlineStride() == 3 * image.getWidth()
                && offsets.length == 3 && offsets[0] == 2 && offsets[1] == 1 && offsets[2] == 0
                && buffer.getOffset() == 0
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && buffer.getData().length == 3 * image.getWidth() * image.getHeight();
    }

    /** The BGR bytes of an image for which {@link #isCompactBgr} holds. */
    public static byte[] bgrBytes(BufferedImage compactBgr) {
        if (!isCompactBgr(compactBgr)) {
            throw new IllegalArgumentException("expected a compact TYPE_3BYTE_BGR image (see SrgbConverter.toCompactBgr), got type "
                    + compactBgr.getType());
        }
        return ((DataBufferByte) compactBgr.getRaster().getDataBuffer()).getData();
    }

    /**
     * Compact BGR pixels whose values are in {@code profile}'s RGB space (Adobe RGB, Display P3, ...), converted to
     * sRGB by the JDK's colour engine (littlecms). A profile the engine cannot use leaves the pixels as stored, the
     * way the JPEG reader treats one.
     */
    public static BufferedImage fromProfile(BufferedImage compactBgr, ICC_Profile profile) {
        ColorModel tagged = new ComponentColorModel(new ICC_ColorSpace(profile), false, false, Transparency.OPAQUE,
                DataBuffer.TYPE_BYTE);
        BufferedImage source = new BufferedImage(tagged, compactBgr.getRaster(), false, null);
        BufferedImage srgb = new BufferedImage(compactBgr.getWidth(), compactBgr.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        try {
            new ColorConvertOp(null).filter(source, srgb);
        } catch (CMMException e) {
            return compactBgr;
        }
        return srgb;
    }

    /**
     * The image as compact opaque 8-bit sRGB BGR; the same object when it already is. Transparent pixels are
     * composited on white.
     *
     * @throws ImageRejectedException {@code UNSUPPORTED_COLOR_MODEL} for colour spaces or sample types that cannot
     *                                be mapped to sRGB here (CMYK or YCbCr left unconverted, floating-point or 32-bit samples)
     */
    public static BufferedImage toCompactBgr(BufferedImage image) throws ImageRejectedException {
        if (isCompactBgr(image)) {
            return image;
        }
        ColorModel model = image.getColorModel();
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        if (model instanceof IndexColorModel palette) {
            convertPalette(image.getRaster(), palette, bgr);
        } else if (model instanceof ComponentColorModel || model instanceof PackedColorModel) {
            convertComponents(image.getRaster(), model, bgr);
        } else {
            throw unsupported("colour model " + model.getClass().getSimpleName());
        }
        return out;
    }

    private static void convertPalette(Raster raster, IndexColorModel palette, byte[] bgr) {
        int entries = palette.getMapSize();
        // Each palette entry is composited once; pixels then only look their entry up.
        byte[] lut = new byte[3 * entries];
        for (int i = 0; i < entries; i++) {
            int alpha = palette.getAlpha(i);
            lut[3 * i] = (byte) overWhite(palette.getBlue(i), alpha);
            lut[3 * i + 1] = (byte) overWhite(palette.getGreen(i), alpha);
            lut[3 * i + 2] = (byte) overWhite(palette.getRed(i), alpha);
        }
        int width = raster.getWidth();
        int[] row = new int[width];
        int o = 0;
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.getSamples(0, y, width, 1, 0, row);
            for (int x = 0; x < width; x++) {
                int entry = Math.min(row[x], entries - 1) * 3;
                bgr[o++] = lut[entry];
                bgr[o++] = lut[entry + 1];
                bgr[o++] = lut[entry + 2];
            }
        }
    }

    private static void convertComponents(Raster raster, ColorModel model, byte[] bgr) throws ImageRejectedException {
        int colourType = model.getColorSpace().getType();
        int colours = model.getNumColorComponents();
        boolean grey = colourType == ColorSpace.TYPE_GRAY && colours == 1;
        boolean rgb = colourType == ColorSpace.TYPE_RGB && colours == 3;
        if (!grey && !rgb) {
            throw unsupported("colour space " + colourSpaceName(colourType) + " with " + colours + " components");
        }
        int transfer = model.getTransferType();
        if (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT && transfer != DataBuffer.TYPE_INT) {
            throw unsupported("floating-point or signed samples (data type " + transfer + ")");
        }
        int bands = raster.getNumBands();
        int[] maxValue = new int[bands];
        for (int b = 0; b < bands; b++) {
            int bits = raster.getSampleModel().getSampleSize(b);
            if (bits < 1 || bits > 16) {
                throw unsupported(bits + "-bit samples");
            }
            maxValue[b] = (1 << bits) - 1;
        }
        boolean alpha = model.hasAlpha();
        boolean premultiplied = model.isAlphaPremultiplied();
        int alphaBand = colours;
        int width = raster.getWidth();
        int[] row = new int[width * bands];
        int[] rgbOut = new int[3];
        int o = 0;
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int x = 0, i = 0; x < width; x++, i += bands) {
                for (int c = 0; c < 3; c++) {
                    int band = grey ? 0 : c;
                    rgbOut[c] = to8Bit(row[i + band], maxValue[band]);
                }
                if (alpha) {
                    int a = to8Bit(row[i + alphaBand], maxValue[alphaBand]);
                    for (int c = 0; c < 3; c++) {
                        rgbOut[c] = premultiplied ? Math.min(WHITE, rgbOut[c] + WHITE - a) : overWhite(rgbOut[c], a);
                    }
                }
                bgr[o++] = (byte) rgbOut[2];
                bgr[o++] = (byte) rgbOut[1];
                bgr[o++] = (byte) rgbOut[0];
            }
        }
    }

    private static int to8Bit(int sample, int maxValue) {
        return maxValue == WHITE ? sample : (sample * WHITE + maxValue / 2) / maxValue;
    }

    /**
     * Composites on white because transparent images (logos, cut-outs, illustrations) are drawn to be seen on a light
     * page; the colour hidden under alpha 0 is arbitrary, often black, and would otherwise show up as dark fringes.
     */
    private static int overWhite(int colour, int alpha) {
        return (colour * alpha + WHITE * (WHITE - alpha) + WHITE / 2) / WHITE;
    }

    private static String colourSpaceName(int type) {
        return switch (type) {
            case ColorSpace.TYPE_CMYK -> "CMYK";
            case ColorSpace.TYPE_YCbCr -> "YCbCr";
            case ColorSpace.TYPE_GRAY -> "grey";
            case ColorSpace.TYPE_RGB -> "RGB";
            case ColorSpace.TYPE_Lab -> "Lab";
            default -> "type " + type;
        };
    }

    private static ImageRejectedException unsupported(String what) {
        return new ImageRejectedException(DeadLetterReason.UNSUPPORTED_COLOR_MODEL,
                "cannot convert this image to 8-bit sRGB: " + what + " is not supported; re-save it as 8-bit RGB or greyscale");
    }
}
