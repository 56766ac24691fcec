package io.latentflow.imaging;

import io.latentflow.schemas.DeadLetterReason;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The encoded formats the decoder reads, recognised by their magic bytes rather than by what the sender claims. */
public enum ImageFormat {
    JPEG, PNG, GIF, BMP;

    static final String SUPPORTED = "JPEG, PNG, BMP or GIF";

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /**
     * The format of {@code bytes}, or an {@link ImageRejectedException} with {@code UNSUPPORTED_FORMAT} naming what
     * the bytes look like instead (WebP, TIFF, HEIF, PDF, text, ...).
     */
    public static ImageFormat sniff(byte[] bytes) throws ImageRejectedException {
        if (startsWith(bytes, 0, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (bytes.length >= PNG_SIGNATURE.length && Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
            return PNG;
        }
        if (ascii(bytes, 0, 6).equals("GIF87a") || ascii(bytes, 0, 6).equals("GIF89a")) {
            return GIF;
        }
        if (looksLikeBmp(bytes)) {
            return BMP;
        }
        throw new ImageRejectedException(DeadLetterReason.UNSUPPORTED_FORMAT,
                "unsupported image format: the bytes look like " + describeOther(bytes) + "; send " + SUPPORTED
                        + " (convert the image first)");
    }

    /** "BM" alone is too weak (a text file may start with it): also require a known DIB header size. */
    private static boolean looksLikeBmp(byte[] b) {
        if (b.length < 18 || b[0] != 'B' || b[1] != 'M') {
            return false;
        }
        return switch (bmpDibHeaderSize(b)) {
            case 12, 16, 40, 52, 56, 64, 108, 124 -> true;
            default -> false;
        };
    }

    /** The size of a BMP's DIB header, which tells its version (12: the OS/2 core header with 16-bit sides). */
    static int bmpDibHeaderSize(byte[] b) {
        return (b[14] & 0xFF) | (b[15] & 0xFF) << 8 | (b[16] & 0xFF) << 16 | (b[17] & 0xFF) << 24;
    }

    private static String describeOther(byte[] b) {
        if (ascii(b, 0, 4).equals("RIFF") && ascii(b, 8, 4).equals("WEBP")) {
            return "WebP";
        }
        if (ascii(b, 0, 4).equals("RIFF")) {
            return "a RIFF container (" + ascii(b, 8, 4).strip() + ")";
        }
        if (startsWith(b, 0, 'I', 'I', 0x2A, 0x00) || startsWith(b, 0, 'M', 'M', 0x00, 0x2A)) {
            return "TIFF";
        }
        if (ascii(b, 4, 4).equals("ftyp")) {
            String brand = ascii(b, 8, 4);
            return switch (brand) {
                case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1" -> "HEIF/HEIC";
                case "avif", "avis" -> "AVIF";
                default -> "an ISO media file (brand '" + brand.strip() + "', e.g. MP4/MOV)";
            };
        }
        if (startsWith(b, 0, 0x00, 0x00, 0x00, 0x0C, 'j', 'P', ' ', ' ') || startsWith(b, 0, 0xFF, 0x4F, 0xFF, 0x51)) {
            return "JPEG 2000";
        }
        if (startsWith(b, 0, 0xFF, 0x0A) || startsWith(b, 0, 0x00, 0x00, 0x00, 0x0C, 'J', 'X', 'L', ' ')) {
            return "JPEG XL";
        }
        if (ascii(b, 0, 4).equals("%PDF")) {
            return "PDF";
        }
        if (ascii(b, 0, 4).equals("8BPS")) {
            return "a Photoshop document (PSD)";
        }
        if (startsWith(b, 0, 0x00, 0x00, 0x01, 0x00)) {
            return "an icon (ICO)";
        }
        if (startsWith(b, 0, 'P', 'K', 0x03, 0x04)) {
            return "a ZIP archive";
        }
        if (startsWith(b, 0, 0x1F, 0x8B)) {
            return "gzip-compressed data";
        }
        if (looksLikeText(b)) {
            String head = new String(b, 0, Math.min(b.length, 1024), StandardCharsets.UTF_8).toLowerCase();
            if (head.contains("<svg")) {
                return "SVG (a vector image: rasterise it first)";
            }
            if (head.stripLeading().startsWith("<")) {
                return "XML/HTML text";
            }
            return "text";
        }
        return "unknown binary data (first bytes " + hex(b, 8) + ")";
    }

    /** Text if the first bytes hold no control characters other than whitespace (UTF-8 multi-byte sequences pass). */
    private static boolean looksLikeText(byte[] b) {
        int n = Math.min(b.length, 512);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') {
                return false;
            }
            if (c == 0x7F) {
                return false;
            }
        }
        return n > 0;
    }

    private static boolean startsWith(byte[] b, int offset, int... expected) {
        if (b.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((b[offset + i] & 0xFF) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(byte[] b, int offset, int length) {
        if (b.length < offset + length) {
            return "";
        }
        return new String(b, offset, length, StandardCharsets.ISO_8859_1);
    }

    private static String hex(byte[] b, int count) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(count, b.length); i++) {
            if (i > 0) {
                s.append(' ');
            }
            s.append(String.format("%02x", b[i] & 0xFF));
        }
        return s.toString();
    }
}
