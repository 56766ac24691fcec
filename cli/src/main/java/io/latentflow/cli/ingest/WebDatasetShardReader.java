package io.latentflow.cli.ingest;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a webdataset shard one sample at a time, streaming: only the current sample's members are in memory, so a
 * shard of any size is read in the memory of its largest sample. As webdataset does, consecutive members whose names
 * agree up to the first dot of their file name form one sample ({@code 000123.jpg}, {@code 000123.txt},
 * {@code 000123.json}), keyed by that prefix, folders included; the rest of the name is the member's extension.
 */
final class WebDatasetShardReader implements AutoCloseable {

    /**
     * One sample: its key and its members by extension (lower case), in shard order.
     *
     * @param oversized members not read because they are over the limit, by extension, with their size
     */
    record Sample(String key, Map<String, byte[]> members, Map<String, Long> oversized) {
    }

    private final TarArchiveInputStream tar;
    private final long maxMemberBytes;
    private TarArchiveEntry pending;
    private boolean ended;

    /** @param maxMemberBytes larger members are not read, only named in {@link Sample#oversized} */
    WebDatasetShardReader(InputStream shard, long maxMemberBytes) {
        this.tar = new TarArchiveInputStream(new BufferedInputStream(shard, 1 << 16));
        this.maxMemberBytes = maxMemberBytes;
    }

    /** The next sample, or null at the end of the shard. */
    Sample next() throws IOException {
        TarArchiveEntry entry = pending != null ? pending : nextFile();
        pending = null;
        if (entry == null) {
            return null;
        }
        String key = key(entry.getName());
        Map<String, byte[]> members = new LinkedHashMap<>();
        Map<String, Long> oversized = new LinkedHashMap<>();
        while (entry != null && key(entry.getName()).equals(key)) {
            String extension = extension(entry.getName());
            if (entry.getSize() > maxMemberBytes) {
                oversized.put(extension, entry.getSize());
            } else {
                members.put(extension, tar.readAllBytes());
            }
            entry = nextFile();
        }
        pending = entry;
        return new Sample(key, members, oversized);
    }

    private TarArchiveEntry nextFile() throws IOException {
        if (ended) {
            return null;
        }
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            if (entry.isFile()) {
                return entry;
            }
        }
        ended = true;
        return null;
    }

    /** The name up to the first dot of its file name (a dot in a folder name does not count). */
    static String key(String memberName) {
        int slash = memberName.lastIndexOf('/');
        int dot = memberName.indexOf('.', slash + 1);
        return dot < 0 ? memberName : memberName.substring(0, dot);
    }

    static String extension(String memberName) {
        int slash = memberName.lastIndexOf('/');
        int dot = memberName.indexOf('.', slash + 1);
        return dot < 0 ? "" : memberName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
