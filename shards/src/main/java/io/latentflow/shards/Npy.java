package io.latentflow.shards;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes numpy's .npy format (version 1.0) so a latent can be read with {@code numpy.load} and nothing of this
 * project. Float16 conversion is written here because {@code Float.floatToFloat16} arrived only in Java 20.
 */
public final class Npy {

    public static final String FLOAT16_DTYPE = "float16";

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final int PREAMBLE = MAGIC.length + 2; // magic, version, little-endian uint16 header length
    private static final int ALIGNMENT = 64;

    private Npy() {
    }

    /**
     * The bytes of a .npy file holding {@code values} as little-endian float16 ({@code '<f2'}) in C order.
     *
     * @param shape the array's dimensions (e.g. C, H, W); their product must be {@code values.length}
     */
    public static byte[] float16(float[] values, int... shape) {
        long elements = 1;
        for (int dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            elements *= dimension;
        }
        if (elements != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elements + " values, got "
                    + values.length);
        }
        byte[] header = header("<f2", shape);
        byte[] npy = Arrays.copyOf(header, header.length + 2 * values.length);
        for (int i = 0, o = header.length; i < values.length; i++, o += 2) {
            short half = floatToHalf(values[i]);
            npy[o] = (byte) half;
            npy[o + 1] = (byte) (half >> 8);
        }
        return npy;
    }

    /** Magic, version and the header dict, padded with spaces and a newline so the data starts 64-byte aligned. */
    private static byte[] header(String descr, int[] shape) {
        String dimensions = Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String tuple = shape.length == 1 ? "(" + dimensions + ",)" : "(" + dimensions + ")";
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
        int unpadded = PREAMBLE + dict.length() + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        String text = dict + " ".repeat(padding) + "\n";
        byte[] header = new byte[PREAMBLE + text.length()];
        System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
        header[MAGIC.length] = (byte) text.length();
        header[MAGIC.length + 1] = (byte) (text.length() >> 8);
        System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, header, PREAMBLE, text.length());
        return header;
    }

    /**
     * IEEE 754 binary16 bits of {@code value}, rounded to nearest, ties to even (as numpy's {@code astype(float16)}):
     * magnitudes from 65520 up become infinity, below 2^-24 they become subnormal or zero, NaN stays NaN (quiet).
     */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (mantissa == 0 ? sign | 0x7C00 : sign | 0x7E00 | (mantissa >>> 13));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (halfExponent <= 0) {
            if (halfExponent < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            int significand = mantissa | 0x800000;
            int shift = 14 - halfExponent;
            return (short) (sign | roundShift(significand, shift)); // a carry out makes the smallest normal: correct
        }
        // a carry out of the mantissa bumps the exponent, and from the largest finite value it yields infinity: correct
        return (short) (sign | ((halfExponent << 10) + roundShift(mantissa, 13)));
    }

    /** {@code value >> shift}, rounded to nearest with ties to even. */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int dropped = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        return dropped > half || (dropped == half && (kept & 1) == 1) ? kept + 1 : kept;
    }

    /** The float value of IEEE 754 binary16 bits (exact: every half is a float). */
    public static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
