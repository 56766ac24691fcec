package io.latentflow.cli.stack;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;

/**
 * Where the service's encode job resumes: the newer of the savepoint its last orderly stop took and the last
 * checkpoint a run completed (retained on disk, so that a run killed with SIGKILL, an OOM kill or a power cut leaves
 * one). A checkpoint folder {@code <root>/<job id>/chk-<n>} is complete when its {@code _metadata} is there: Flink
 * writes that file last. The chosen one is read before the job is submitted: a missing or unreadable one stops the
 * start with what to do, instead of a job that silently starts from nothing (and encodes again, or never commits,
 * what the lost state held).
 *
 * @param path   what Flink restores from (a {@code file:} URI or the savepoint path as Flink gave it)
 * @param kind   "savepoint" or "checkpoint"
 * @param name   the folder's name ({@code chk-12}, {@code savepoint-...})
 * @param jobId  the job that took it, for a checkpoint (else null)
 * @param takenAt when it completed (its {@code _metadata}'s modification time)
 */
public record RestorePoint(String path, String kind, String name, String jobId, Instant takenAt) {

    private static final String METADATA = "_metadata";
    private static final Pattern CHECKPOINT = Pattern.compile("chk-\\d+");

    /** "checkpoint chk-12 of job 3f.. taken at 2026-..." */
    public String describe() {
        return kind + " " + name + (jobId != null ? " of job " + jobId : "") + " taken at " + takenAt;
    }

    /**
     * The newest of {@code lastSavepoint} and the complete checkpoints under {@code checkpointRoot} (none when the
     * job checkpoints elsewhere), checked readable.
     *
     * @param savepointNotedAt when the last savepoint's path was noted (its own time when its folder is elsewhere)
     * @throws IllegalStateException when the newest is unreadable, or the savepoint is gone and no checkpoint is newer
     */
    public static Optional<RestorePoint> newest(Optional<String> lastSavepoint, Optional<Instant> savepointNotedAt,
                                         Optional<Path> checkpointRoot) {
        List<RestorePoint> candidates = new ArrayList<>(checkpointRoot.map(RestorePoint::checkpoints)
                .orElse(List.of()));
        Optional<RestorePoint> savepoint = lastSavepoint.map(path -> savepoint(path, savepointNotedAt));
        savepoint.ifPresent(candidates::add);
        Optional<RestorePoint> newest = candidates.stream().max(Comparator.comparing(RestorePoint::takenAt));
        if (newest.isEmpty()) {
            return newest;
        }
        RestorePoint chosen = newest.get();
        Optional<Path> metadata = chosen.localMetadata();
        if (metadata.isPresent() && !Files.isRegularFile(metadata.get())) {
            throw new IllegalStateException("the savepoint the last run stopped with, " + chosen.path + ", is gone"
                    + " (no " + metadata.get() + ") and no checkpoint is newer: put it back to resume from it, or"
                    + " start without state with --no-resume (images are then read from the consumer group's"
                    + " committed offsets, and what that savepoint held uncommitted is encoded again)");
        }
        metadata.ifPresent(file -> checkReadable(chosen, file));
        return newest;
    }

    /** The complete checkpoints of every job under {@code root} ({@code <root>/<job id>/chk-<n>/_metadata}). */
    static List<RestorePoint> checkpoints(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<RestorePoint> found = new ArrayList<>();
        try (Stream<Path> jobs = Files.list(root)) {
            for (Path job : jobs.filter(Files::isDirectory).toList()) {
                try (Stream<Path> folders = Files.list(job)) {
                    for (Path folder : folders.filter(f -> CHECKPOINT.matcher(f.getFileName().toString()).matches())
                            .toList()) {
                        Path metadata = folder.resolve(METADATA);
                        if (Files.isRegularFile(metadata)) {
                            found.add(new RestorePoint(folder.toUri().toString(), "checkpoint",
                                    folder.getFileName().toString(), job.getFileName().toString(),
                                    Files.getLastModifiedTime(metadata).toInstant()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoints under " + root, e);
        }
        return found;
    }

    private static RestorePoint savepoint(String path, Optional<Instant> notedAt) {
        Optional<Path> folder = localFolder(path);
        Instant takenAt = folder.map(f -> f.resolve(METADATA)).filter(Files::isRegularFile).map(file -> {
            try {
                return Files.getLastModifiedTime(file).toInstant();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }).or(() -> notedAt).orElse(Instant.EPOCH);
        String name = folder.map(f -> f.getFileName().toString()).orElse(path);
        return new RestorePoint(path, "savepoint", name, null, takenAt);
    }

    /** The {@code _metadata} file on this machine's disk, when the path is a local one. */
    private Optional<Path> localMetadata() {
        return localFolder(path).map(folder -> folder.resolve(METADATA));
    }

    private static Optional<Path> localFolder(String path) {
        if (path.startsWith("file:")) {
            return Optional.of(Path.of(URI.create(path)));
        }
        return path.contains("://") ? Optional.empty() : Optional.of(Path.of(path));
    }

    /** Reads the metadata as Flink will: a truncated or foreign file fails here, with what to do. */
    private static void checkReadable(RestorePoint point, Path metadata) {
        try (InputStream in = Files.newInputStream(metadata)) {
            Checkpoints.loadCheckpointMetadata(new DataInputStream(in), RestorePoint.class.getClassLoader(),
                    point.path);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot resume from " + point.describe() + ": " + metadata
                    + " is unreadable (" + e.getMessage() + "). Move " + metadata.getParent() + " away to resume"
                    + " from the one before it (images after that one may then be encoded twice), or start without"
                    + " state with --no-resume", e);
        }
    }
}
