package io.latentflow.model.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (what diffusers saves weights in): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian data. Reads F32, F16 and BF16 into
 * float32; refuses anything else, and any header that does not describe the file exactly, naming the tensor.
 */
public final class Safetensors {

    /** Headers of real checkpoints are tens of kilobytes; anything this large is not a safetensors file. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {
    }

    /** One tensor, converted to float32, row-major. */
    public record Tensor(String name, String dtype, long[] shape, float[] values) {

        public long elementCount() {
            long count = 1;
            for (long dimension : shape) {
                count *= dimension;
            }
            return count;
        }
    }

    /**
     * Reads every tensor of {@code file}, in header order.
     *
     * @throws InvalidSafetensorsException when the file is truncated, its header malformed, a byte range out of the
     *                                     file or not matching the shape, or a dtype other than F32, F16, BF16
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new InvalidSafetensorsException(file, "truncated: " + size + " bytes, not even the 8-byte header"
                        + " length");
            }
            ByteBuffer lengthBytes = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = lengthBytes.getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw new InvalidSafetensorsException(file, "truncated or not a safetensors file: the header claims "
                        + headerLength + " bytes, the file has " + size);
            }
            ByteBuffer headerBytes = readFully(channel, 8, (int) headerLength);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw new InvalidSafetensorsException(file, "its header is not JSON: " + e.getMessage());
            }
            if (header == null || !header.isObject()) {
                throw new InvalidSafetensorsException(file, "its header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataLength = size - dataStart;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (METADATA.equals(entry.getKey())) {
                    continue;
                }
                tensors.put(entry.getKey(), readTensor(file, channel, dataStart, dataLength, entry.getKey(),
                        entry.getValue()));
            }
            return tensors;
        }
    }

    private static Tensor readTensor(Path file, FileChannel channel, long dataStart, long dataLength, String name,
                                     JsonNode spec) throws IOException {
        String dtype = spec.path("dtype").asText("");
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new InvalidSafetensorsException(file, "tensor " + name + " has dtype '" + dtype
                    + "': supported are F32, F16 and BF16 (convert the checkpoint, e.g. with torch, to one of them)");
        };
        JsonNode shapeNode = spec.path("shape");
        JsonNode offsets = spec.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new InvalidSafetensorsException(file, "tensor " + name + " has no valid shape and data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) {
                throw new InvalidSafetensorsException(file, "tensor " + name + " has a negative dimension");
            }
            count *= shape[i];
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLength) {
            throw new InvalidSafetensorsException(file, "tensor " + name + " lies at bytes [" + begin + ", " + end
                    + ") of a data section of " + dataLength + " bytes: the file is truncated or its header wrong");
        }
        if (end - begin != count * width || count > Integer.MAX_VALUE) {
            throw new InvalidSafetensorsException(file, "tensor " + name + " of shape " + java.util.Arrays.toString(
                    shape) + " and dtype " + dtype + " needs " + count * width + " bytes, its range holds "
                    + (end - begin));
        }
        ByteBuffer raw = readFully(channel, dataStart + begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (dtype) {
                case "F32" -> raw.getFloat();
                case "F16" -> halfToFloat(raw.getShort());
                default -> Float.intBitsToFloat((raw.getShort() & 0xffff) << 16);
            };
        }
        return new Tensor(name, dtype, shape, values);
    }

    /**
     * Writes float32 tensors in the safetensors format, in the map's order (readable by {@code safetensors.torch}
     * and by {@link #read}).
     */
    public static void writeF32(Path file, Map<String, Tensor> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (Tensor tensor : tensors.values()) {
            long bytes = 4L * tensor.values().length;
            header.put(tensor.name(), Map.of("dtype", "F32", "shape", tensor.shape(),
                    "data_offsets", List.of(offset, offset + bytes)));
            offset += bytes;
        }
        byte[] text = JSON.writeValueAsBytes(header);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(text);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(prefix.array());
            for (Tensor tensor : tensors.values()) {
                ByteBuffer data = ByteBuffer.allocate(4 * tensor.values().length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(tensor.values());
                out.write(data.array());
            }
        }
    }

    /** IEEE binary16 to float32, exactly ({@code Float.float16ToFloat} arrived only in Java 20). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        buffer.flip();
        return buffer;
    }
}
