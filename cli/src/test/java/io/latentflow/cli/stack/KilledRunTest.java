package io.latentflow.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start after a run that was killed: its checkpoints resume it, and when they are gone the start says so. */
class KilledRunTest {

    private static final String JOB = "a1b2c3";
    private static final RestorePoint OLDER_SAVEPOINT = new RestorePoint("file:/state/savepoints/savepoint-1",
            "savepoint", "savepoint-1", null, Instant.parse("2026-12-01T10:00:00Z"));

    @TempDir
    Path state;

    @Test
    void anOrderlyStopLeavesNoServiceFileAndSoNoKilledRun() {
        assertThat(KilledRun.leftIn(state.resolve(ServiceState.SERVICE_FILE))).isEmpty();
    }

    @Test
    void aKilledRunWhoseCheckpointsAreGoneStopsTheStartInsteadOfResumingFromAnOlderSavepoint() throws Exception {
        KilledRun killed = killedRun();
        Path checkpoints = Files.createDirectories(state.resolve("checkpoints"));

        assertThatThrownBy(() -> killed.requireCheckpointsOrResume(Optional.of(OLDER_SAVEPOINT), checkpoints))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pid 4242, encode job " + JOB + ") was killed")
                .hasMessageContaining("no " + checkpoints.resolve(JOB))
                .hasMessageContaining("from the older savepoint savepoint-1")
                .hasMessageContaining("Put the folder back").hasMessageContaining("--no-resume");
    }

    @Test
    void aKilledRunWhoseCheckpointsAreGoneStopsTheStartInsteadOfStartingWithoutState() throws Exception {
        KilledRun killed = killedRun();

        assertThatThrownBy(() -> killed.requireCheckpointsOrResume(Optional.empty(), state.resolve("checkpoints")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Resuming without state would encode again");
    }

    @Test
    void aKilledRunResumesFromItsOwnCheckpoint() throws Exception {
        RestorePoint own = new RestorePoint("file:/c/" + JOB + "/chk-4", "checkpoint", "chk-4", JOB, Instant.now());

        killedRun().requireCheckpointsOrResume(Optional.of(own), state.resolve("checkpoints"));
    }

    @Test
    void aRunKilledBeforeItsFirstCheckpointCommittedNothingAndTheStartGoesOn() throws Exception {
        Path checkpoints = Files.createDirectories(state.resolve("checkpoints").resolve(JOB).resolve("shared"))
                .getParent().getParent();

        killedRun().requireCheckpointsOrResume(Optional.of(OLDER_SAVEPOINT), checkpoints);
    }

    @Test
    void anUnreadableServiceFileStopsTheStartWithWhatToDo() throws Exception {
        Path file = Files.writeString(state.resolve(ServiceState.SERVICE_FILE), "{\"jobId\": \"a1");

        assertThatThrownBy(() -> KilledRun.leftIn(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("unreadable")
                .hasMessageContaining("--no-resume");
    }

    private KilledRun killedRun() throws Exception {
        Path file = Files.writeString(state.resolve(ServiceState.SERVICE_FILE),
                "{\"jobId\": \"" + JOB + "\", \"pid\": 4242}");
        return KilledRun.leftIn(file).orElseThrow();
    }
}
