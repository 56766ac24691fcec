package io.latentflow.imaging;

/**
 * Walks the marker segments of a JPEG header (those before the first scan) without decoding anything, so that the
 * decoder can read what it needs (orientation, sample precision) from a few bytes. Malformed structure ends the
 * walk quietly: the reader that decodes the pixels is the one that says a file is corrupt.
 */
final class JpegSegments {

    private static final int MARKER_SOS = 0xDA;
    private static final int MARKER_EOI = 0xD9;

    /** One segment: its marker and where its payload (after the two length bytes) starts and ends. */
    record Segment(int marker, int start, int end) {
    }

    /** Which segment a caller wants, given the whole file and the segment's bounds. */
    interface Wanted {
        boolean test(byte[] jpeg, Segment segment);
    }

    private JpegSegments() {
    }

    /** The first segment before the first scan that {@code wanted} accepts, or null. */
    static Segment find(byte[] jpeg, Wanted wanted) {
        int pos = 2; // after SOI
        while (pos + 4 <= jpeg.length) {
            if ((jpeg[pos] & 0xFF) != 0xFF) {
                return null;
            }
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte before a marker
                pos++;
                continue;
            }
            if (marker == MARKER_SOS || marker == MARKER_EOI) {
                return null; // header segments all precede the first scan
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // markers without a length
                pos += 2;
                continue;
            }
            int length = (jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF);
            if (length < 2) {
                return null;
            }
            Segment segment = new Segment(marker, pos + 4, Math.min(jpeg.length, pos + 2 + length));
            if (wanted.test(jpeg, segment)) {
                return segment;
            }
            pos += 2 + length;
        }
        return null;
    }

    /**
     * The sample precision in bits of the frame header (SOF0-SOF15 but DHT, JPG and DAC, which share the range),
     * or 8 when no frame header is found (the reader then reports the file as corrupt).
     */
    static int samplePrecision(byte[] jpeg) {
        Segment frame = find(jpeg, (b, s) -> isFrameHeader(s.marker()) && s.start() < s.end());
        return frame == null ? 8 : jpeg[frame.start()] & 0xFF;
    }

    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
}
