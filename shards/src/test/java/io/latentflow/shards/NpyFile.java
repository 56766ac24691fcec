package io.latentflow.shards;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A minimal .npy reader written from numpy's format description, sharing no code with {@link Npy}: it decodes
 * float16 with the textbook formula, so the two conversions check each other.
 */
record NpyFile(int[] shape, float[] values) {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    static NpyFile parseFloat16(byte[] npy) {
        assertThat(Arrays.copyOf(npy, 6)).containsExactly(0x93, 'N', 'U', 'M', 'P', 'Y');
        assertThat(npy[6]).as("major version").isEqualTo((byte) 1);
        assertThat(npy[7]).as("minor version").isEqualTo((byte) 0);
        int headerLength = (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
        int dataStart = 10 + headerLength;
        assertThat(dataStart % 64).as("data is 64-byte aligned").isZero();
        String header = new String(npy, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(header).endsWith("\n").startsWith("{");
        assertThat(group(DESCR, header)).isEqualTo("<f2");
        assertThat(group(FORTRAN, header)).isEqualTo("False");
        int[] shape = Arrays.stream(group(SHAPE, header).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        assertThat(npy.length - dataStart).as("data bytes").isEqualTo(2 * count);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            int bits = (npy[dataStart + 2 * i] & 0xFF) | (npy[dataStart + 2 * i + 1] & 0xFF) << 8;
            values[i] = decodeHalf(bits);
        }
        return new NpyFile(shape, values);
    }

    /** (-1)^sign x 2^(exponent - 15) x 1.mantissa, or 2^-14 x 0.mantissa for subnormals. */
    static float decodeHalf(int bits) {
        int sign = bits >> 15;
        int exponent = (bits >> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        double magnitude;
        if (exponent == 31) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = Math.scalb(mantissa / 1024.0, -14);
        } else {
            magnitude = Math.scalb(1 + mantissa / 1024.0, exponent - 15);
        }
        return (float) (sign == 1 ? -magnitude : magnitude);
    }

    private static String group(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).as("%s in %s", pattern, text).isTrue();
        return matcher.group(1);
    }
}
