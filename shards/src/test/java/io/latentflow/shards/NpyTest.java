package io.latentflow.shards;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyTest {

    @Test
    void convertsKnownValuesAsNumpyDoes() {
        // expected bits from numpy 2.4.6: np.array([...], np.float32).astype(np.float16).view(np.uint16)
        assertHalf(0f, 0x0000);
        assertHalf(-0f, 0x8000);
        assertHalf(1f, 0x3C00);
        assertHalf(-2f, 0xC000);
        assertHalf(65504f, 0x7BFF); // the largest half
        assertHalf(65519.99f, 0x7BFF);
        assertHalf(65520f, 0x7C00); // halfway to the next binade: rounds to even, which is infinity
        assertHalf(-65520f, 0xFC00);
        assertHalf(1e-8f, 0x0000); // under half the smallest subnormal
        assertHalf(0x1p-24f, 0x0001); // the smallest subnormal
        assertHalf(0x1p-25f, 0x0000); // a tie between 0 and the smallest subnormal: even is 0
        assertHalf(3 * 0x1p-26f, 0x0001);
        assertHalf(6e-8f, 0x0001);
        assertHalf(0x1p-15f, 0x0200); // a subnormal
        assertHalf(0x1p-14f, 0x0400); // the smallest normal
        assertHalf(1 + 0x1p-11f, 0x3C00); // tie, rounds to the even 1.0
        assertHalf(1 + 3 * 0x1p-11f, 0x3C02); // tie, rounds to the even 1 + 2^-9
        assertHalf(2049f, 0x6800);
        assertHalf(2051f, 0x6802);
        assertHalf(0.1f, 0x2E66);
        assertHalf(1 / 3f, 0x3555);
        assertHalf(Float.POSITIVE_INFINITY, 0x7C00);
        assertHalf(Float.NEGATIVE_INFINITY, 0xFC00);
        assertHalf(Float.NaN, 0x7E00);
        assertHalf(Float.MAX_VALUE, 0x7C00);
        assertHalf(Float.MIN_VALUE, 0x0000);
    }

    @Test
    void keepsNanPayloadsNonZero() {
        short half = Npy.floatToHalf(Float.intBitsToFloat(0x7F800001)); // a NaN whose payload is in the dropped bits
        assertThat(half & 0x7C00).isEqualTo(0x7C00);
        assertThat(half & 0x03FF).isNotZero();
        assertThat(Npy.halfToFloat(half)).isNaN();
    }

    @Test
    void everyHalfSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float value = Npy.halfToFloat((short) bits);
            float textbook = NpyFile.decodeHalf(bits);
            if (Float.isNaN(textbook)) {
                assertThat(value).as("bits %04x", bits).isNaN();
                assertThat(Npy.floatToHalf(value) & 0xFFFF).as("NaN keeps its sign and payload, %04x", bits).isEqualTo(bits | 0x0200);
            } else {
                assertThat(value).as("bits %04x", bits).isEqualTo(textbook);
                assertThat(Npy.floatToHalf(value) & 0xFFFF).as("bits %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void roundsRandomFloatsToTheNearestHalf() {
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            float value = switch (i % 4) {
                case 0 -> (float) random.nextGaussian();
                case 1 -> (float) (random.nextGaussian() * 1e-5);
                case 2 -> (random.nextFloat() - 0.5f) * 131_000f;
                default -> Float.intBitsToFloat(random.nextInt());
            };
            if (Float.isNaN(value) || Math.abs(value) >= 65520f) {
                continue;
            }
            int half = Npy.floatToHalf(value) & 0xFFFF;
            double error = Math.abs((double) NpyFile.decodeHalf(half) - value);
            for (int neighbour : new int[]{half - 1, half + 1}) {
                if ((neighbour & 0x7FFF) < 0x7C00 && (neighbour & 0xFFFF) == neighbour) {
                    double other = Math.abs((double) NpyFile.decodeHalf(neighbour) - value);
                    assertThat(error).as("%s -> %04x, neighbour %04x", value, half, neighbour).isLessThanOrEqualTo(other);
                }
            }
        }
    }

    @Test
    void writesTheSameBytesAsNumpyForTheGoldenArray() throws IOException {
        byte[] input = resource("float16-golden-input.f32");
        float[] values = new float[input.length / 4];
        ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        byte[] expected = resource("float16-golden.npy");

        assertThat(Npy.float16(values, 4, 32, 32)).isEqualTo(expected);
    }

    @Test
    void padsTheHeaderSoDataStartsOn64BytesForAnyShape() {
        for (int[] shape : new int[][]{{5}, {}, {8, 32, 32}, {1, 1, 1, 1, 1, 1, 1, 1}, {0}, {123456789, 0}}) {
            int count = 1;
            for (int dimension : shape) {
                count *= dimension;
            }
            byte[] npy = Npy.float16(new float[count], shape);
            NpyFile parsed = NpyFile.parseFloat16(npy);
            assertThat(parsed.shape()).containsExactly(shape);
        }
        String oneDimensional = new String(Npy.float16(new float[5], 5), 10, 118, StandardCharsets.US_ASCII);
        assertThat(oneDimensional).contains("'shape': (5,)");
    }

    @Test
    void roundTripsALatentToFloat16Precision() {
        Random random = new Random(1);
        float[] latent = new float[8 * 16 * 16];
        for (int i = 0; i < latent.length; i++) {
            latent[i] = (float) Math.tanh(random.nextGaussian() * 2);
        }
        NpyFile parsed = NpyFile.parseFloat16(Npy.float16(latent, 8, 16, 16));
        assertThat(parsed.shape()).containsExactly(8, 16, 16);
        for (int i = 0; i < latent.length; i++) {
            assertThat(parsed.values()[i]).isCloseTo(latent[i], org.assertj.core.data.Offset.offset(halfUlp(latent[i])));
        }
    }

    @Test
    void refusesAShapeThatDoesNotMatchTheValues() {
        assertThatThrownBy(() -> Npy.float16(new float[10], 3, 3)).hasMessageContaining("[3, 3] holds 9 values, got 10");
        assertThatThrownBy(() -> Npy.float16(new float[0], -1)).hasMessageContaining("negative");
    }

    /** Half the spacing of halves around {@code value}: the largest error of a correct rounding. */
    static float halfUlp(float value) {
        float magnitude = Math.max(Math.abs(value), 0x1p-14f);
        return Math.scalb(1f, Math.getExponent(magnitude) - 11);
    }

    private static void assertHalf(float value, int expectedBits) {
        assertThat(Npy.floatToHalf(value) & 0xFFFF).as("half of %s (%08x)", value, Float.floatToRawIntBits(value))
                .isEqualTo(expectedBits);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/shard/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
