package io.latentflow.cli.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ingest with a ledger sends each file once across restarts: an unchanged file is skipped, a changed one goes again
 * as a new version under a new id, --resend sends everything, --move-to moves what the broker acknowledged, and a
 * ledger cut short by a crash costs at most the file whose line was cut.
 */
class IngestLedgerTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @TempDir
    static Path shared;
    private static EmbeddedKafka kafka;

    @TempDir
    Path work;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(shared.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void aRestartedIngestSendsNothingAgainAndAChangedFileGoesAsANewVersion() throws Exception {
        Path folder = folderOfTwoPhotos("restart");
        Files.copy(photo(2), folder.resolve("c.jpg.part"));
        Files.copy(photo(3), folder.resolve(".d.jpg"));
        Path ledgerFile = work.resolve("state/ingest/ledger.jsonl");
        long before = imagesOnTheTopic().size();

        assertThat(send(ledgerFile, folder, false, null)).satisfies(r -> {
            assertThat(r.sent()).as("files in progress and dotfiles are not sent").isEqualTo(2);
            assertThat(r.skipped()).isZero();
        });
        ImageIngest.Report again = send(ledgerFile, folder, false, null);
        assertThat(again.sent()).isZero();
        assertThat(again.skipped()).isEqualTo(2);

        Files.setLastModifiedTime(folder.resolve("a.jpg"), FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(send(ledgerFile, folder, false, null).skipped()).as("touched, not changed").isEqualTo(2);

        Files.copy(photo(4), folder.resolve("b.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ImageIngest.Report changed = send(ledgerFile, folder, false, null);
        assertThat(changed.sent()).isEqualTo(1);
        assertThat(changed.skipped()).isEqualTo(1);
        assertThat(changed.newVersions()).containsExactly(folder.resolve("b.jpg").toString());

        List<String> ids = imagesOnTheTopic().stream().skip(before).map(ImageRecord::getId).toList();
        assertThat(ids).containsExactly(
                ImageIds.of("restart", Path.of("a.jpg"), Files.readAllBytes(photo(0))),
                ImageIds.of("restart", Path.of("b.jpg"), Files.readAllBytes(photo(1))),
                ImageIds.of("restart", Path.of("b.jpg"), Files.readAllBytes(photo(4))));

        assertThat(send(ledgerFile, folder, true, null).sent()).as("--resend").isEqualTo(2);
    }

    @Test
    void acknowledgedFilesAreMovedOutOfTheFolder() throws Exception {
        Path folder = folderOfTwoPhotos("moving");
        Path done = work.resolve("done");
        ImageIngest.Report report = send(work.resolve("ledger.jsonl"), folder, false, done);
        assertThat(report.sent()).isEqualTo(2);
        assertThat(report.failed()).isEmpty();
        assertThat(names(folder)).isEmpty();
        assertThat(names(done)).containsExactly("a.jpg", "b.jpg");
        assertThat(Files.readAllBytes(done.resolve("b.jpg"))).isEqualTo(Files.readAllBytes(photo(1)));

        Files.copy(photo(1), folder.resolve("a.jpg")); // a new a.jpg: its name is taken in done/
        assertThat(send(work.resolve("ledger.jsonl"), folder, false, done).sent()).isEqualTo(1);
        assertThat(names(done)).hasSize(3).contains("a.jpg", "b.jpg");
    }

    @Test
    void aLedgerCutShortByACrashCostsOnlyTheFileWhoseLineWasCut() throws Exception {
        Path folder = folderOfTwoPhotos("crash");
        Path ledgerFile = work.resolve("ledger.jsonl");
        assertThat(send(ledgerFile, folder, false, null).sent()).isEqualTo(2);
        byte[] ledger = Files.readAllBytes(ledgerFile);
        Files.write(ledgerFile, java.util.Arrays.copyOf(ledger, ledger.length - 20));

        ImageIngest.Report afterCrash = send(ledgerFile, folder, false, null);
        assertThat(afterCrash.sent()).isEqualTo(1);
        assertThat(afterCrash.skipped()).isEqualTo(1);
        assertThat(send(ledgerFile, folder, false, null).skipped()).as("the ledger is whole again").isEqualTo(2);
    }

    private static ImageIngest.Report send(Path ledgerFile, Path folder, boolean resend, Path moveTo) {
        try (IngestLedger ledger = IngestLedger.open(ledgerFile);
             ImageIngest ingest = new ImageIngest(kafka.settings(), Topics.IMAGES, null,
                     ImageIngest.Limits.DEFAULTS, new ImageIngest.Bookkeeping(ledger, resend, moveTo))) {
            return ingest.send(List.of(folder), null, Instant.now(), Duration.ZERO);
        }
    }

    private Path folderOfTwoPhotos(String name) throws Exception {
        Path folder = Files.createDirectories(work.resolve(name));
        Files.copy(photo(0), folder.resolve("a.jpg"));
        Files.copy(photo(1), folder.resolve("b.jpg"));
        return folder;
    }

    private static Path photo(int index) throws Exception {
        try (Stream<Path> files = Files.list(PHOTOS)) {
            return files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList().get(index);
        }
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static List<ImageRecord> imagesOnTheTopic() {
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers())) {
            return reader.readFrom(Topics.IMAGES, Map.of(), AvroCodec.of(ImageRecord.class));
        }
    }
}
