package io.latentflow.shards;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one latent back from the .npy member of a shard: a C-ordered little-endian float16 or float32 array of shape
 * (channels, height, width), as {@link Npy} writes it and numpy saves it. The project's one .npy reader (the tests keep
 * readers of their own, written from the format description, as independent checks of the writer).
 */
public record LatentNpy(float[] values, int channels, int height, int width) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** @param name what the bytes are, for error messages (e.g. the shard and member) */
    public static LatentNpy parse(byte[] npy, String name) {
        if (npy.length < 10 || !Arrays.equals(Arrays.copyOf(npy, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException(name + " is not a .npy file (no \\x93NUMPY magic)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
        int major = npy[6];
        int headerLength;
        int dataStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buffer.getShort(8));
            dataStart = 10 + headerLength;
        } else if (major == 2 || major == 3) {
            headerLength = buffer.getInt(8);
            dataStart = 12 + headerLength;
        } else {
            throw new IllegalArgumentException(name + " is .npy format version " + major + ", which is not supported");
        }
        if (headerLength < 0 || dataStart > npy.length) {
            throw new IllegalArgumentException(name + " is truncated: its header ends past its " + npy.length + " bytes");
        }
        String header = new String(npy, dataStart - headerLength, headerLength, StandardCharsets.US_ASCII);
        String descr = group(DESCR, header, name, "descr");
        if (group(FORTRAN, header, name, "fortran_order").equals("True")) {
            throw new IllegalArgumentException(name + " is stored in Fortran order; latents are written in C order");
        }
        int[] shape = Arrays.stream(group(SHAPE, header, name, "shape").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        if (shape.length != 3) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(shape)
                    + "; a latent is (channels, height, width)");
        }
        int count = shape[0] * shape[1] * shape[2];
        float[] values = new float[count];
        buffer.position(dataStart);
        switch (descr) {
            case "<f2" -> {
                requireBytes(npy, dataStart, 2L * count, name);
                for (int i = 0; i < count; i++) {
                    values[i] = Npy.halfToFloat(buffer.getShort());
                }
            }
            case "<f4" -> {
                requireBytes(npy, dataStart, 4L * count, name);
                buffer.asFloatBuffer().get(values);
            }
            default -> throw new IllegalArgumentException(name + " holds dtype '" + descr
                    + "'; latents are little-endian float16 ('<f2') or float32 ('<f4')");
        }
        return new LatentNpy(values, shape[0], shape[1], shape[2]);
    }

    private static String group(Pattern pattern, String header, String name, String key) {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new IllegalArgumentException(name + " has no '" + key + "' in its .npy header: " + header.trim());
        }
        return matcher.group(1);
    }

    private static void requireBytes(byte[] npy, int dataStart, long needed, String name) {
        if (npy.length - dataStart < needed) {
            throw new IllegalArgumentException(name + " is truncated: its shape needs " + needed + " data bytes, it has "
                    + (npy.length - dataStart));
        }
    }
}
