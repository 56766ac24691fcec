package io.latentflow.imaging;

import java.awt.image.BufferedImage;

/**
 * The EXIF orientation of a JPEG (how the camera was held) and its application to the pixels, so that every image
 * reaches the model upright. Reads only the orientation tag of IFD0 in the APP1 "Exif" segment: a few dozen bytes,
 * no metadata library, and anything malformed simply means "as stored" (1).
 */
public final class ExifOrientation {

    public static final int AS_STORED = 1;

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int TIFF_SHORT = 3;
    private static final int MARKER_APP1 = 0xE1;

    private ExifOrientation() {
    }

    /** The orientation (1-8) recorded in a JPEG, or {@link #AS_STORED} when there is none or it cannot be read. */
    public static int of(byte[] jpeg) {
        JpegSegments.Segment exif = JpegSegments.find(jpeg,
                (b, s) -> s.marker() == MARKER_APP1 && isExifHeader(b, s.start(), s.end()));
        return exif == null ? AS_STORED : fromTiff(jpeg, exif.start() + 6, exif.end());
    }

    private static boolean isExifHeader(byte[] b, int start, int end) {
        return start + 6 <= end && b[start] == 'E' && b[start + 1] == 'x' && b[start + 2] == 'i' && b[start + 3] == 'f'
                && b[start + 4] == 0 && b[start + 5] == 0;
    }

    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return AS_STORED;
        }
        boolean littleEndian;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            littleEndian = true;
        } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            littleEndian = false;
        } else {
            return AS_STORED;
        }
        if (u16(b, tiff + 2, littleEndian) != 42) {
            return AS_STORED;
        }
        long ifdOffset = u32(b, tiff + 4, littleEndian);
        if (ifdOffset < 8 || tiff + ifdOffset + 2 > end) {
            return AS_STORED;
        }
        int ifd = (int) (tiff + ifdOffset);
        int entries = u16(b, ifd, littleEndian);
        for (int i = 0; i < entries; i++) {
            int entry = ifd + 2 + 12 * i;
            if (entry + 12 > end) {
                return AS_STORED;
            }
            if (u16(b, entry, littleEndian) == ORIENTATION_TAG) {
                if (u16(b, entry + 2, littleEndian) != TIFF_SHORT) {
                    return AS_STORED;
                }
                int value = u16(b, entry + 8, littleEndian);
                return value >= 1 && value <= 8 ? value : AS_STORED;
            }
        }
        return AS_STORED;
    }

    /**
     * The upright image for a stored image with the given EXIF orientation: 2 mirror, 3 rotate 180, 4 flip,
     * 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise. Orientations 5-8 swap width
     * and height. Returns {@code image} itself for orientation 1 or an unknown value.
     *
     * @param image a compact BGR image (see {@link SrgbConverter#toCompactBgr})
     */
    public static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        byte[] src = SrgbConverter.bgrBytes(image);
        int w = image.getWidth();
        int h = image.getHeight();
        boolean swap = orientation >= 5;
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = SrgbConverter.bgrBytes(out);
        int o = 0;
        for (int dy = 0; dy < outH; dy++) {
            for (int dx = 0; dx < outW; dx++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - dx; sy = dy; }
                    case 3 -> { sx = w - 1 - dx; sy = h - 1 - dy; }
                    case 4 -> { sx = dx; sy = h - 1 - dy; }
                    case 5 -> { sx = dy; sy = dx; }
                    case 6 -> { sx = dy; sy = h - 1 - dx; }
                    case 7 -> { sx = w - 1 - dy; sy = h - 1 - dx; }
                    default -> { sx = w - 1 - dy; sy = dx; } // 8
                }
                int s = 3 * (sy * w + sx);
                dst[o++] = src[s];
                dst[o++] = src[s + 1];
                dst[o++] = src[s + 2];
            }
        }
        return out;
    }

    private static int u16(byte[] b, int pos, boolean littleEndian) {
        int hi = b[pos] & 0xFF;
        int lo = b[pos + 1] & 0xFF;
        return littleEndian ? (lo << 8) | hi : (hi << 8) | lo;
    }

    private static long u32(byte[] b, int pos, boolean littleEndian) {
        long first = u16(b, pos, littleEndian);
        long second = u16(b, pos + 2, littleEndian);
        return littleEndian ? (second << 16) | first : (first << 16) | second;
    }
}
