package io.latentflow.cli.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code ingest} has sent, durably: one JSON line per file the broker acknowledged (its path, size, modification
 * time, content hash, the record's id, partition and offset), appended only after the acknowledgement and forced to
 * disk before the ingest reports it sent. A restarted ingest reads it back and sends nothing again (the way
 * Filebeat's registry works).
 *
 * <p>Crash safety: a line is one append; a crash mid-append leaves a last line without its newline, which the next
 * open ignores (that file is sent again, and the encode job drops the duplicate by its image id). When the file holds
 * many more lines than files, the open rewrites it with the latest line of each file, to a temporary file first and
 * then renamed over it, so a crash leaves either the old ledger or the new one.
 */
public final class IngestLedger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestLedger.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rewrite when there are this many more lines than files. */
    private static final int COMPACT_SLACK = 10_000;

    /**
     * One acknowledged file.
     *
     * @param path          absolute path of the file when it was sent
     * @param modifiedMillis its modification time then
     */
    public record Entry(String path, long size, long modifiedMillis, String sha256, String id, String topic, int partition,
                 long offset, String sentAt) {
    }

    private final Path file;
    private final Map<String, Entry> latest = new LinkedHashMap<>();
    private final FileChannel channel;

    private IngestLedger(Path file) throws IOException {
        this.file = file;
        int lines = read();
        if (lines > latest.size() + COMPACT_SLACK) {
            compact();
        }
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        endWithNewline();
    }

    /** The ledger in {@code file}, created (with its folder) if there is none yet. */
    public static IngestLedger open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return new IngestLedger(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the ingest ledger " + file + ": " + e.getMessage()
                    + " (give another --state-dir)", e);
        }
    }

    Path file() {
        return file;
    }

    /** The last acknowledged send of the file at {@code absolutePath}. */
    Optional<Entry> latest(Path absolutePath) {
        return latest(key(absolutePath));
    }

    /** @param key a {@link #key file's key}, or a shard sample's (the shard's key or URI, '#', the sample's key) */
    Optional<Entry> latest(String key) {
        return Optional.ofNullable(latest.get(key));
    }

    /** Appends {@code entry}; durable once {@link #sync} returns. */
    void append(Entry entry) {
        try {
            byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            latest.put(entry.path(), entry);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ingest ledger " + file, e);
        }
    }

    /** Forces what was appended to disk. */
    void sync() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ingest ledger " + file, e);
        }
    }

    static String key(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }


    private int read() throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        boolean endsWithNewline = Files.size(file) == 0 || endsWithNewline();
        int count = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                Entry entry = JSON.readValue(line, Entry.class);
                latest.put(entry.path(), entry);
                count++;
            } catch (JsonProcessingException e) {
                if (i == lines.size() - 1 && !endsWithNewline) {
                    LOG.info("The ingest ledger {} ends in a line cut short (an ingest stopped while writing it);"
                            + " that file is sent again", file);
                } else {
                    LOG.warn("Line {} of the ingest ledger {} is not a ledger entry; it is ignored", i + 1, file);
                }
            }
        }
        return count;
    }

    private boolean endsWithNewline() throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            if (in.size() == 0) {
                return true;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            in.read(last, in.size() - 1);
            return last.get(0) == '\n';
        }
    }

    private void endWithNewline() throws IOException {
        if (!endsWithNewline()) {
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            channel.force(false);
        }
    }

    private void compact() throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder text = new StringBuilder();
        for (Entry entry : latest.values()) {
            text.append(JSON.writeValueAsString(entry)).append('\n');
        }
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Closes the file; what was appended and synced stays. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing the ingest ledger {} failed: {}", file, e.getMessage());
        }
    }
}
