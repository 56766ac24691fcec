package io.latentflow.cli.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One service per state folder: an operating-system lock on {@code <state-dir>/<name>.lock}, taken before anything
 * else in the folder is touched (two embedded brokers on one log directory corrupt each other's metadata log before
 * Kafka's own lock refuses the second). The OS releases the lock when the process dies, even by kill -9, so a lock
 * file nobody holds is a dead process's: it is taken over, and said so. The file holds who holds it (pid, since,
 * dashboard), for the message a second service gets; it is emptied, never deleted, on an orderly exit, since a
 * deleted lock file lets two processes lock two different files of one name.
 */
public final class ServiceLock implements AutoCloseable {

    public static final String SERVICE = "service";
    public static final String CLUSTER = "cluster";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Map<String, Object> holder = new LinkedHashMap<>();

    /** The lock is held by a live process: {@link #holder} says which (pid, command, since, addresses). */
    public static final class Held extends IllegalStateException {

        private final String holder;

        Held(String message, String holder) {
            super(message);
            this.holder = holder;
        }

        public String holder() {
            return holder;
        }
    }

    private ServiceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock {@code name} ({@link #SERVICE}, {@link #CLUSTER}) of {@code stateDir} for {@code command}.
     *
     * @param say where the take-over of a dead process's lock is told
     * @throws Held when a live process holds it: what runs there, and what to do
     */
    public static ServiceLock acquire(Path stateDir, String name, String command, PrintWriter say) {
        Path file = stateDir.toAbsolutePath().resolve(name + ".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            JsonNode previous = read(channel);
            if (lock == null) {
                channel.close();
                throw new Held("a " + name + " already runs from " + stateDir + " (" + who(previous)
                        + "): stop it first, or use --state-dir", who(previous));
            }
            if (previous != null) {
                say.println("taking over " + file + " from pid " + previous.path("pid").asText("?") + " ("
                        + previous.path("command").asText("?") + " since " + previous.path("since").asText("?")
                        + "), which is no longer running");
                say.flush();
            }
            ServiceLock taken = new ServiceLock(file, channel, lock);
            taken.holder.put("pid", ProcessHandle.current().pid());
            taken.holder.put("command", command);
            taken.holder.put("since", Instant.now().toString());
            taken.write();
            return taken;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            String holder = "this process";
            try {
                holder = who(read(channel)) + ", in this process";
            } catch (IOException unreadable) {
                // the refusal stands without the holder's details
            }
            closeQuietly(channel);
            throw new Held("a " + name + " already runs from " + stateDir + " (" + holder + "): stop it first, or use"
                    + " --state-dir", holder);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether a live process holds the lock {@code name} of {@code stateDir} (a glance: the lock is taken and given
     * back at once when nobody holds it).
     */
    static boolean held(Path stateDir, String name) {
        Path file = stateDir.toAbsolutePath().resolve(name + ".lock");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true; // this very process holds it
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look at " + file, e);
        }
    }

    /** Adds an address ("dashboard", "flink") to what a second service is told. */
    public void address(String what, String url) {
        holder.put(what, url);
        try {
            write();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    Path file() {
        return file;
    }

    private void write() throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(holder);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(bytes), 0);
        channel.force(false);
    }

    /** What the lock file says of its holder, or null when it is empty or unreadable (an orderly exit empties it). */
    private static JsonNode read(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0 || size > 64 * 1024) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
            // reads at explicit positions: the channel's own position stays where it is
        }
        try {
            JsonNode node = JSON.readTree(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
            return node != null && node.isObject() ? node : null;
        } catch (IOException unreadable) {
            return null;
        }
    }

    private static String who(JsonNode holder) {
        if (holder == null) {
            return "pid unknown";
        }
        StringBuilder who = new StringBuilder("pid " + holder.path("pid").asText("?") + ", "
                + holder.path("command").asText("?") + " since " + holder.path("since").asText("?"));
        holder.fields().forEachRemaining(field -> {
            if (!List.of("pid", "command", "since").contains(field.getKey())) {
                who.append(", ").append(field.getKey()).append(' ').append(field.getValue().asText());
            }
        });
        return who.toString();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the lock, if any, goes with the channel
            }
        }
    }

    /** Empties the file (an orderly exit leaves no holder to take over from), then releases the lock. */
    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
        } catch (IOException ignored) {
            // the OS releases the lock when the channel closes
        } finally {
            closeQuietly(channel);
        }
    }
}
