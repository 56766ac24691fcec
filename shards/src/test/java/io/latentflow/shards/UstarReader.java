package io.latentflow.shards;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A minimal tar reader written from the POSIX ustar layout (512-byte headers, octal fields, a checksum, data padded
 * to 512 bytes, two zero blocks at the end, PAX 'x' records for long names), sharing no code with commons-compress.
 */
final class UstarReader {

    record Member(String name, byte[] content, int mode, long mtime, int uid, int gid, String magic, String version) {
    }

    private UstarReader() {
    }

    static List<Member> read(byte[] tar) {
        assertThat(tar.length % 512).as("tar size is a whole number of blocks").isZero();
        List<Member> members = new ArrayList<>();
        String paxPath = null;
        int pos = 0;
        while (true) {
            assertThat(pos + 512).as("end-of-archive marker before the end of the file").isLessThanOrEqualTo(tar.length);
            byte[] header = Arrays.copyOfRange(tar, pos, pos + 512);
            if (isZero(header)) {
                assertThat(isZero(Arrays.copyOfRange(tar, pos + 512, pos + 1024))).as("second zero block").isTrue();
                return members;
            }
            assertThat(octal(header, 148, 8)).as("header checksum").isEqualTo(checksum(header));
            long size = octal(header, 124, 12);
            byte[] content = Arrays.copyOfRange(tar, pos + 512, pos + 512 + (int) size);
            pos += 512 + (int) ((size + 511) / 512 * 512);
            char type = (char) header[156];
            if (type == 'x') {
                paxPath = paxValue(content, "path");
                continue;
            }
            assertThat(type).as("regular file").isIn('0', '\0');
            String prefix = string(header, 345, 155);
            String name = paxPath != null ? paxPath : prefix.isEmpty() ? string(header, 0, 100) : prefix + "/" + string(header, 0, 100);
            paxPath = null;
            members.add(new Member(name, content, (int) octal(header, 100, 8), octal(header, 136, 12),
                    (int) octal(header, 108, 8), (int) octal(header, 116, 8),
                    new String(header, 257, 6, StandardCharsets.US_ASCII), new String(header, 263, 2, StandardCharsets.US_ASCII)));
        }
    }

    /** Sum of all header bytes, the checksum field counted as eight spaces. */
    private static long checksum(byte[] header) {
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
        }
        return sum;
    }

    private static long octal(byte[] header, int offset, int length) {
        String text = string(header, offset, length).strip();
        return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    }

    private static String string(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** PAX records are "length key=value\n". */
    private static String paxValue(byte[] records, String key) {
        String text = new String(records, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            String record = line.substring(line.indexOf(' ') + 1);
            if (record.startsWith(key + "=")) {
                return record.substring(key.length() + 1);
            }
        }
        return null;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
