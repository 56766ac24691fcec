package io.latentflow.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A minimal reader of the shards the job writes, independent of the project's writer: ustar headers
 * parsed by hand, npy v1 headers by a regular expression, float16 by its definition. If the writer and
 * this reader agree, numpy and tarfile will too.
 */
final class ShardReader {

    private static final int BLOCK = 512;
    private static final Pattern NPY_HEADER = Pattern.compile(
            "\\{'descr': '<f2', 'fortran_order': False, 'shape': \\((\\d+), (\\d+), (\\d+)\\), \\}\\s*\\n");

    private ShardReader() {
    }

    /** The shard files ({@code .tar}) under {@code root}, in name order. */
    static List<Path> shardFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".tar")).sorted().toList();
        }
    }

    /** Tar member name -> content, in archive order. */
    static Map<String, byte[]> members(byte[] tar) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        int at = 0;
        while (at + BLOCK <= tar.length && !allZero(tar, at)) {
            String name = cString(tar, at, 100);
            String prefix = cString(tar, at + 345, 155);
            long size = Long.parseLong(cString(tar, at + 124, 12).trim(), 8);
            char type = (char) tar[at + 156];
            int data = at + BLOCK;
            if (type == '0' || type == '\0') {
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                if (members.put(full, Arrays.copyOfRange(tar, data, data + (int) size)) != null) {
                    throw new AssertionError("member " + full + " appears twice in one shard");
                }
            }
            at = data + (int) ((size + BLOCK - 1) / BLOCK) * BLOCK;
        }
        return members;
    }

    record Latent(int channels, int height, int width, float[] values) {
    }

    static Latent float16Npy(byte[] npy) {
        if (npy[0] != (byte) 0x93 || !new String(npy, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
            throw new AssertionError("not an npy file");
        }
        int headerLength = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
        String header = new String(npy, 10, headerLength, StandardCharsets.ISO_8859_1);
        Matcher m = NPY_HEADER.matcher(header);
        if (!m.matches()) {
            throw new AssertionError("unexpected npy header: " + header);
        }
        int c = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        int w = Integer.parseInt(m.group(3));
        ByteBuffer data = ByteBuffer.wrap(npy, 10 + headerLength, npy.length - 10 - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[c * h * w];
        for (int i = 0; i < values.length; i++) {
            values[i] = halfToFloat(data.getShort());
        }
        if (data.hasRemaining()) {
            throw new AssertionError(data.remaining() + " bytes after the npy data");
        }
        return new Latent(c, h, w, values);
    }

    /** IEEE 754 binary16 by its definition: sign, 5 exponent bits (bias 15), 10 fraction bits. */
    static float halfToFloat(short half) {
        int sign = (half >> 15) & 1;
        int exponent = (half >> 10) & 0x1f;
        int fraction = half & 0x3ff;
        double magnitude;
        if (exponent == 0) {
            magnitude = fraction / 1024.0 * Math.pow(2, -14);
        } else if (exponent == 31) {
            magnitude = fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            magnitude = (1 + fraction / 1024.0) * Math.pow(2, exponent - 15);
        }
        return (float) (sign == 1 ? -magnitude : magnitude);
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] bytes, int offset) {
        for (int i = offset; i < offset + BLOCK; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
