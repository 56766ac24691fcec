package io.latentflow.shards;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Writes one WebDataset shard to a local file: a POSIX (ustar) tar in which each sample is two consecutive members,
 * {@code <key>.latent.npy} then {@code <key>.json}; WebDataset groups consecutive members by the name up to the first
 * dot. Readable by {@code tar}, Python's {@code tarfile} and {@code webdataset} with no code of this project.
 *
 * <p>Every member has mtime 0, owner 0:0 and mode 0644, so the same samples always give byte-identical shards: a shard
 * rewritten after a restore from checkpoint is indistinguishable from the first attempt. The sample's times are in
 * its JSON, where readers look for them.
 *
 * <p>Not thread-safe: one writer per task. {@link #close()} without {@link #finish()} deletes the file, so an aborted
 * shard never looks complete.
 */
public final class ShardWriter implements AutoCloseable {

    public static final String LATENT_SUFFIX = ".latent.npy";
    public static final String METADATA_SUFFIX = ".json";
    public static final String CAPTION_SUFFIX = ".txt";

    /** What {@link #finish()} appends: two zero records. */
    public static final int END_OF_ARCHIVE_BYTES = 1024;

    private static final int MEMBER_MODE = 0644; // permissions only: ustar keeps the file type in its own field

    private final Path file;
    private final CountingOutputStream counter;
    private final TarArchiveOutputStream tar;
    private final Set<String> keys = new HashSet<>();
    private boolean finished;
    private boolean closed;

    /** Creates (or truncates) {@code file}. */
    public ShardWriter(Path file) throws IOException {
        this.file = Objects.requireNonNull(file, "file");
        this.counter = new CountingOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        this.tar = new TarArchiveOutputStream(counter, "US-ASCII");
        // Keys are at most 81 characters, within ustar's 100; PAX headers keep longer keys working all the same.
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /** The name of a sample's latent inside a shard, as {@code LatentRecord.member} records it. */
    public static String latentMember(String key) {
        return key + LATENT_SUFFIX;
    }

    public static String metadataMember(String key) {
        return key + METADATA_SUFFIX;
    }

    /** The name of a sample's caption (UTF-8 text), the member webdataset loaders read as {@code "txt"}. */
    public static String captionMember(String key) {
        return key + CAPTION_SUFFIX;
    }

    /**
     * Appends one sample. After an IOException the shard is unusable: {@link #close()} it and start again.
     *
     * @param key          a key from {@link SampleKeys#of}; must not be in this shard already
     * @param latentNpy    the latent as .npy bytes ({@link Npy#float16})
     * @param metadataJson the sample's metadata ({@link SampleMetadata#toJson})
     */
    public void add(String key, byte[] latentNpy, byte[] metadataJson) throws IOException {
        add(key, latentNpy, metadataJson, null);
    }

    /**
     * Appends one sample with its caption as a third member, {@code <key>.txt} (UTF-8, exactly the caption's text).
     *
     * @param caption the image's caption; null for none (then no {@code .txt} member)
     */
    public void add(String key, byte[] latentNpy, byte[] metadataJson, String caption) throws IOException {
        if (finished || closed) {
            throw new IllegalStateException("shard " + file + " is already finished; start a new one");
        }
        if (!SampleKeys.isKey(key)) {
            throw new IllegalArgumentException("sample key '" + key + "' may hold only A-Z, a-z, 0-9, '_' and '-': use SampleKeys.of(imageId)");
        }
        Objects.requireNonNull(latentNpy, "latentNpy");
        Objects.requireNonNull(metadataJson, "metadataJson");
        if (!keys.add(key)) {
            throw new IllegalArgumentException("shard " + file + " already holds a sample with key " + key);
        }
        writeMember(latentMember(key), latentNpy);
        writeMember(metadataMember(key), metadataJson);
        if (caption != null) {
            writeMember(captionMember(key), caption.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** True if this shard already holds a sample with this key. */
    public boolean contains(String key) {
        return keys.contains(key);
    }

    private void writeMember(String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length);
        entry.setMode(MEMBER_MODE);
        entry.setModTime(0L);
        entry.setIds(0, 0);
        entry.setNames("", "");
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    public int samples() {
        return keys.size();
    }

    /**
     * Bytes written to the file so far: every member added, headers and padding included. {@link #finish()} adds the
     * 1 KiB end-of-archive marker, after which this is the file's size. For deciding when to roll to a new shard.
     */
    public long bytes() {
        return counter.count;
    }

    public Path path() {
        return file;
    }

    /**
     * Pushes every member added so far to the file, without the end-of-archive marker: the file's first
     * {@link #bytes()} bytes are then whole members, which a shard spanning several checkpoints stages one range at
     * a time.
     */
    public void flush() throws IOException {
        tar.flush();
        counter.flush(); // the tar stream's own flush does not reach the buffer below it
    }

    /** Writes the end-of-archive marker, closes the file and returns its path. */
    public Path finish() throws IOException {
        if (closed) {
            throw new IllegalStateException("shard " + file + " was closed without finishing and has been deleted");
        }
        if (!finished) {
            tar.finish();
            tar.close();
            finished = true;
        }
        return file;
    }

    /** After {@link #finish()}: nothing. Otherwise abandons the shard and deletes its file. */
    @Override
    public void close() throws IOException {
        if (finished || closed) {
            return;
        }
        closed = true;
        try {
            tar.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
