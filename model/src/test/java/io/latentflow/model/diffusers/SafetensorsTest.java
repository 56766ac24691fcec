package io.latentflow.model.diffusers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsTest {

    @TempDir
    Path temp;

    @Test
    void halfAndBfloat16ValuesBecomeTheFloatsTheyEncode() throws IOException {
        // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), +inf; BF16: 1, -2, 3.140625
        short[] half = {0x3c00, (short) 0xc000, 0x7bff, 0x0001, 0x7c00};
        short[] bfloat = {0x3f80, (short) 0xc000, 0x4049};
        Path file = temp.resolve("mixed.safetensors");
        write(file, "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[10,16]}}", shorts(half, bfloat));

        Map<String, Safetensors.Tensor> tensors = Safetensors.read(file);

        assertThat(tensors.get("h").values()).containsExactly(1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY);
        assertThat(tensors.get("b").values()).containsExactly(1f, -2f, 3.140625f);
    }

    @Test
    void float32TensorsWrittenAreReadBackBitForBit() throws IOException {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", new Safetensors.Tensor("a.weight", "F32", new long[] {2, 2},
                new float[] {1.5f, -0f, Float.MIN_VALUE, 3e38f}));
        tensors.put("a.bias", new Safetensors.Tensor("a.bias", "F32", new long[] {1}, new float[] {7f}));
        Path file = temp.resolve("f32.safetensors");

        Safetensors.writeF32(file, tensors);
        Map<String, Safetensors.Tensor> read = Safetensors.read(file);

        assertThat(read.keySet()).containsExactly("a.weight", "a.bias");
        assertThat(read.get("a.weight").shape()).containsExactly(2, 2);
        assertThat(read.get("a.weight").values()).containsExactly(1.5f, -0f, Float.MIN_VALUE, 3e38f);
    }

    @Test
    void aRangeThatDoesNotFitTheShapeIsRefusedNamingTheTensor() throws IOException {
        Path file = temp.resolve("short.safetensors");
        write(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> Safetensors.read(file)).isInstanceOf(InvalidSafetensorsException.class)
                .hasMessageContaining("tensor w of shape [3]").hasMessageContaining("needs 12 bytes");
    }

    @Test
    void aHeaderLongerThanTheFileIsRefused() throws IOException {
        Path file = temp.resolve("cut.safetensors");
        Files.write(file, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertThatThrownBy(() -> Safetensors.read(file)).isInstanceOf(InvalidSafetensorsException.class)
                .hasMessageContaining("the header claims 1000 bytes, the file has 12");
    }

    private static void write(Path file, String header, byte[] data) throws IOException {
        byte[] text = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(text.length).array());
        out.write(text);
        out.write(data);
        Files.write(file, out.toByteArray());
    }

    private static byte[] shorts(short[]... groups) {
        int count = 0;
        for (short[] group : groups) {
            count += group.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(2 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (short[] group : groups) {
            for (short value : group) {
                buffer.putShort(value);
            }
        }
        return buffer.array();
    }
}
