package io.latentflow.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which state the service resumes from, read from folders as Flink leaves them. */
class RestorePointTest {

    private static final Instant EARLIER = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant LATER = Instant.parse("2026-12-01T11:00:00Z");

    @TempDir
    Path dir;

    @Test
    void nothingToResumeFromOnAFreshFolder() {
        assertThat(RestorePoint.newest(Optional.empty(), Optional.empty(), Optional.of(dir.resolve("none"))))
                .isEmpty();
    }

    @Test
    void aCheckpointCountsOnlyOnceItsMetadataIsWritten() throws Exception {
        Files.createDirectories(dir.resolve("job-a").resolve("chk-7"));
        Files.createDirectories(dir.resolve("job-a").resolve("shared"));

        assertThat(RestorePoint.checkpoints(dir)).isEmpty();
    }

    @Test
    void anUnreadableNewestCheckpointStopsTheStartWithWhatToDo() throws Exception {
        Path metadata = metadata(dir.resolve("job-a").resolve("chk-12"), LATER);

        assertThatThrownBy(() -> RestorePoint.newest(Optional.empty(), Optional.empty(), Optional.of(dir)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("checkpoint chk-12 of job job-a").hasMessageContaining(metadata.toString())
                .hasMessageContaining("unreadable").hasMessageContaining("--no-resume");
    }

    @Test
    void aSavepointThatIsGoneWhileNoCheckpointIsNewerStopsTheStart() {
        String gone = dir.resolve("savepoints").resolve("savepoint-1").toUri().toString();

        assertThatThrownBy(() -> RestorePoint.newest(Optional.of(gone), Optional.of(EARLIER), Optional.of(dir)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(gone).hasMessageContaining("is gone").hasMessageContaining("--no-resume");
    }

    @Test
    void aCorruptSavepointStopsTheStartWithWhatToDo() throws Exception {
        Path folder = dir.resolve("savepoints").resolve("savepoint-2");
        Path metadata = metadata(folder, LATER);

        assertThatThrownBy(() -> RestorePoint.newest(Optional.of(folder.toUri().toString()), Optional.of(LATER),
                Optional.of(dir.resolve("checkpoints"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot resume from savepoint savepoint-2").hasMessageContaining(metadata.toString())
                .hasMessageContaining("unreadable").hasMessageContaining("--no-resume");
    }

    @Test
    void theNewestByCompletionTimeIsChosenAndAnOlderSavepointIsNotRead() throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        metadata(checkpoints.resolve("job-old").resolve("chk-3"), EARLIER);
        metadata(checkpoints.resolve("job-new").resolve("chk-9"), LATER);
        // the last savepoint is older than the killed run's checkpoints, and is gone: neither matters
        String savepoint = dir.resolve("savepoints").resolve("savepoint-1").toUri().toString();

        assertThat(RestorePoint.checkpoints(checkpoints)).hasSize(2);
        assertThatThrownBy(() -> RestorePoint.newest(Optional.of(savepoint), Optional.of(EARLIER.minusSeconds(60)),
                Optional.of(checkpoints)))
                .as("the newest, chk-9, is read (and here it is not a real checkpoint)")
                .hasMessageContaining("checkpoint chk-9 of job job-new taken at " + LATER);
    }

    private static Path metadata(Path folder, Instant completedAt) throws Exception {
        Files.createDirectories(folder);
        Path metadata = Files.writeString(folder.resolve("_metadata"), "not a checkpoint");
        Files.setLastModifiedTime(metadata, FileTime.from(completedAt));
        return metadata;
    }
}
