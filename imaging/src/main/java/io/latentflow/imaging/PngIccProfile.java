package io.latentflow.imaging;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The RGB ICC profile a PNG embeds in its iCCP chunk, read from the bytes directly: the PNG reader runs with
 * metadata ignored, so that a huge or hostile text or profile chunk never costs more than this class allows.
 */
final class PngIccProfile {

    /** Real display profiles are a few KB (matrix) to a few hundred KB (lookup tables); beyond this it is ignored. */
    static final int MAX_PROFILE_BYTES = 4 * 1024 * 1024;

    private PngIccProfile() {
    }

    /**
     * The embedded RGB profile, or null when there is none, or it is not RGB, over {@link #MAX_PROFILE_BYTES}
     * inflated or unreadable: the pixels are then taken as sRGB, as the PNG specification says for untagged images.
     */
    static ICC_Profile of(byte[] png) {
        int pos = 8; // after the signature
        while (pos + 12 <= png.length) {
            long length = u32(png, pos);
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (type.equals("IDAT") || type.equals("IEND") || length > png.length - pos - 12) {
                return null; // the profile must precede the image data
            }
            if (type.equals("iCCP")) {
                return parse(png, pos + 8, pos + 8 + (int) length);
            }
            pos += 12 + (int) length;
        }
        return null;
    }

    /** iCCP: a name of 1-79 Latin-1 characters, a NUL, compression method 0, then the deflated profile. */
    private static ICC_Profile parse(byte[] png, int start, int end) {
        int nul = start;
        while (nul < end && png[nul] != 0) {
            nul++;
        }
        if (nul + 2 > end || png[nul + 1] != 0) {
            return null;
        }
        byte[] profile = inflate(png, nul + 2, end);
        if (profile == null) {
            return null;
        }
        try {
            ICC_Profile icc = ICC_Profile.getInstance(profile);
            return icc.getColorSpaceType() == ColorSpace.TYPE_RGB ? icc : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] inflate(byte[] data, int start, int end) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data, start, end - start);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return null;
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_PROFILE_BYTES) {
                    return null;
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    private static long u32(byte[] b, int pos) {
        return (long) (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | (b[pos + 3] & 0xFF);
    }
}
