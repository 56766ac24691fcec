package io.latentflow.model.diffusers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The reference fixtures' .npy files (little-endian float32, C order, as numpy.save writes them). */
record ReferenceArrays(long[] shape, float[] values) {

    static final Path FIXTURES = Path.of("src/test/resources/diffusers");
    private static final Pattern SHAPE = Pattern.compile("'shape': \\(([^)]*)\\)");

    static ReferenceArrays read(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes.get(6);
        int headerLength = major == 1 ? Short.toUnsignedInt(bytes.getShort(8)) : bytes.getInt(8);
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        String header = new String(bytes.array(), dataStart - headerLength, headerLength, StandardCharsets.US_ASCII);
        if (!header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False")) {
            throw new IOException(file + " is not a C-order little-endian float32 .npy: " + header);
        }
        Matcher shape = SHAPE.matcher(header);
        if (!shape.find()) {
            throw new IOException(file + " has no shape: " + header);
        }
        long[] dims = Arrays.stream(shape.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        float[] values = new float[(bytes.capacity() - dataStart) / 4];
        bytes.position(dataStart);
        bytes.asFloatBuffer().get(values);
        return new ReferenceArrays(dims, values);
    }

    /** max |a - reference| / max |reference|: fp32 rounding differences stay far below 1e-4 on this scale. */
    static double relativeError(float[] actual, float[] reference) {
        return maxAbsoluteError(actual, reference) / maxAbs(reference);
    }

    static double maxAbsoluteError(float[] actual, float[] reference) {
        if (actual.length != reference.length) {
            throw new AssertionError(actual.length + " values, the reference has " + reference.length);
        }
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs((double) actual[i] - reference[i]));
        }
        return worst;
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
