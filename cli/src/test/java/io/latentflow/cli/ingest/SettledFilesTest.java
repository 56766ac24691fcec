package io.latentflow.cli.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watched folder offers a file once it is complete: unchanged for the settle time, not named as a file in progress,
 * and (for a JPEG) ending with its end marker. The clock is the test's, so nothing here waits.
 */
class SettledFilesTest {

    private static final Path PHOTO = Path.of(System.getProperty("latentflow.home"), "samples", "photos",
            "Autumn_s1280_000.jpg");
    private static final Duration SETTLE = Duration.ofSeconds(2);

    @TempDir
    Path folder;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @Test
    void aJpegWrittenInTwoHalvesWithAPauseIsOfferedOnceWhenWhole() throws Exception {
        byte[] photo = Files.readAllBytes(PHOTO);
        Path file = folder.resolve("slow.jpg");
        SettledFiles watched = new SettledFiles(List.of(folder), SETTLE, now::get);

        Files.write(file, Arrays.copyOf(photo, photo.length / 2));
        assertThat(watched.poll()).as("just written").isEmpty();
        advance(Duration.ofSeconds(4));
        assertThat(watched.poll()).as("unchanged past the settle time, but cut short").isEmpty();

        Files.write(file, Arrays.copyOfRange(photo, photo.length / 2, photo.length), StandardOpenOption.APPEND);
        advance(Duration.ofMillis(500));
        assertThat(watched.poll()).as("just grew").isEmpty();
        advance(SETTLE);
        assertThat(watched.poll()).extracting(IngestFile::file).containsExactly(file);
        advance(SETTLE);
        assertThat(watched.poll()).as("offered once").isEmpty();
    }

    @Test
    void aFileOfNoKnownFormatIsOfferedOnceItStopsChanging() throws Exception {
        Path file = folder.resolve("notes.dat");
        SettledFiles watched = new SettledFiles(List.of(folder), SETTLE, now::get);
        Files.writeString(file, "first half, ");
        assertThat(watched.poll()).isEmpty();
        advance(Duration.ofSeconds(1));
        Files.writeString(file, "second half", StandardOpenOption.APPEND);
        advance(Duration.ofSeconds(1));
        assertThat(watched.poll()).as("changed a moment ago").isEmpty();
        advance(SETTLE);
        assertThat(watched.poll()).extracting(IngestFile::file).containsExactly(file);
    }

    @Test
    void captionsAndMetadataAreNeverOfferedAsImages() throws Exception {
        SettledFiles watched = new SettledFiles(List.of(folder), SETTLE, now::get);
        for (String name : List.of("a.txt", "a.caption", "a.json", "00000.parquet", "00000_stats.json")) {
            Files.writeString(folder.resolve(name), "{}");
        }
        watched.poll();
        advance(SETTLE.multipliedBy(3));
        assertThat(watched.poll()).isEmpty();
    }

    @Test
    void namesOfFilesInProgressWaitUntilRenamed() throws Exception {
        Path part = Files.copy(PHOTO, folder.resolve("photo.jpg.part"));
        Files.copy(PHOTO, folder.resolve(".photo.jpg.AbC123")); // rsync's temporary name
        Files.copy(PHOTO, folder.resolve("photo.jpg.crdownload"));
        SettledFiles watched = new SettledFiles(List.of(folder), SETTLE, now::get);
        advance(SETTLE.multipliedBy(2));
        assertThat(watched.poll()).isEmpty();

        Path done = Files.move(part, folder.resolve("photo.jpg"));
        advance(SETTLE.multipliedBy(2));
        assertThat(watched.poll()).extracting(IngestFile::file).containsExactly(done);
    }

    @Test
    void aJpegThatStaysCutShortIsOfferedAfterTheGraceSoThatItIsDeadLetteredNotLost() throws Exception {
        byte[] photo = Files.readAllBytes(PHOTO);
        Path file = folder.resolve("broken.jpg");
        Files.write(file, Arrays.copyOf(photo, photo.length / 3));
        SettledFiles watched = new SettledFiles(List.of(folder), SETTLE, now::get);
        advance(Duration.ofMillis(100));
        assertThat(watched.poll()).isEmpty();
        advance(SETTLE.plus(SettledFiles.TRUNCATED_GRACE));
        assertThat(watched.poll()).extracting(IngestFile::file).containsExactly(file);
    }

    private void advance(Duration duration) {
        now.set(now.get().plus(duration));
    }
}
