package io.latentflow.cli.ingest;

import io.latentflow.imaging.ImageFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Watches folders for files that are complete: a file is offered once its size and modification time have not changed
 * for the settle time, its name is not one a writer uses while writing ({@link FilesBeingWritten#hasInProgressName}),
 * and, for an image format with an end marker, it ends with it (else it waits {@link #TRUNCATED_GRACE} more and is
 * offered anyway, so that a truly truncated file becomes a dead letter instead of waiting forever). A file is offered
 * once per state: again only after it changed and settled again.
 */
public final class SettledFiles {

    /** How long a file that looks cut short must stay unchanged before it is offered all the same. */
    static final Duration TRUNCATED_GRACE = Duration.ofSeconds(30);

    private record State(long size, long modifiedMillis) {
    }

    private record Observation(State state, Instant stableSince) {
    }

    private final List<Path> folders;
    private final Duration settle;
    private final Supplier<Instant> clock;
    private final Map<Path, Observation> observed = new HashMap<>();
    private final Map<Path, State> offered = new HashMap<>();

    public SettledFiles(List<Path> folders, Duration settle, Supplier<Instant> clock) {
        if (settle == null || settle.isNegative()) {
            throw new IllegalArgumentException("the settle time is " + settle + ": give zero or a positive duration");
        }
        this.folders = List.copyOf(folders);
        this.settle = settle;
        this.clock = clock;
    }

    /** The files of the folders (in name order per folder) that are complete and were not offered in this state. */
    public List<IngestFile> poll() {
        Instant now = clock.get();
        List<IngestFile> ready = new ArrayList<>();
        Map<Path, Observation> present = new HashMap<>();
        for (Path folder : folders) {
            for (Path file : ImageFolders.files(folder)) {
                String name = file.getFileName().toString();
                if (FilesBeingWritten.hasInProgressName(file) || IngestSidecars.isSidecar(name)
                        || IngestSidecars.isDatasetBookkeeping(name)) {
                    continue; // a caption or metadata travels with its image, read when the image is sent
                }
                State state = stateOf(file);
                if (state == null) {
                    continue; // gone between listing and looking
                }
                Observation before = observed.get(file);
                Observation now_ = before != null && before.state().equals(state) ? before
                        : new Observation(state, before == null ? firstSighting(state, now) : now);
                present.put(file, now_);
                if (state.equals(offered.get(file)) || Duration.between(now_.stableSince(), now).compareTo(settle) < 0) {
                    continue;
                }
                boolean cutShort = !FilesBeingWritten.looksComplete(file);
                if (cutShort && Duration.between(now_.stableSince(), now).compareTo(settle.plus(TRUNCATED_GRACE)) < 0) {
                    continue;
                }
                offered.put(file, state);
                ready.add(new IngestFile(file, folder));
            }
        }
        observed.clear();
        observed.putAll(present);
        offered.keySet().retainAll(present.keySet());
        return ready;
    }

    /** Offers {@code file} again once {@code delay} has passed (its send failed), changed or not. */
    public void retryLater(Path file, Duration delay) {
        offered.remove(file);
        Observation seen = observed.get(file);
        if (seen != null) {
            observed.put(file, new Observation(seen.state(), clock.get().plus(delay).minus(settle)));
        }
    }

    /**
     * A file seen for the first time has been unchanged since its modification time (when that is not in the
     * future), so a folder of finished files is offered at once.
     */
    private static Instant firstSighting(State state, Instant now) {
        Instant modified = Instant.ofEpochMilli(state.modifiedMillis());
        return modified.isBefore(now) ? modified : now;
    }

    private static State stateOf(Path file) {
        try {
            return new State(Files.size(file), Files.getLastModifiedTime(file).toMillis());
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "SettledFiles" + Objects.toString(folders) + " settle " + settle;
    }
}
