package io.latentflow.cli.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ingest sends of a folder, and the reason for each input it does not send. */
class IngestInputsTest {

    @TempDir
    Path work;

    @Test
    void readsSubfoldersLabelsByTheFirstLevelAndNeverSendsASidecar() throws Exception {
        Path root = dataset();
        IngestInputs.Found found = new IngestInputs(true, true).of(List.of(root));

        assertThat(found.files()).extracting(f -> root.relativize(f.file()).toString().replace('\\', '/'))
                .containsExactly("cat/a.jpg", "dog/puppies/c.png", "top.jpg", "train/00000.tar");
        assertThat(found.files()).extracting(IngestFile::label).containsExactly("cat", "dog", null, "train");
        assertThat(reasons(found)).containsOnlyKeys("orphan.caption", "train/00000.parquet",
                "train/00000_stats.json", ".git");
        assertThat(reasons(found).get("orphan.caption")).contains("no image of its name");
    }

    @Test
    void withoutRecursionListsEachSubfolderAsNotRead() throws Exception {
        Path root = dataset();
        IngestInputs.Found found = new IngestInputs(false, false).of(List.of(root));

        assertThat(found.files()).extracting(f -> root.relativize(f.file()).toString()).containsExactly("top.jpg");
        assertThat(found.files()).extracting(IngestFile::label).containsOnlyNulls();
        assertThat(reasons(found)).containsOnlyKeys("cat", "dog", "train", "orphan.caption", ".git");
        assertThat(reasons(found).get("cat")).contains("--no-recursive");
    }

    @Test
    void aSidecarGivenByItselfIsListedNotSent() throws Exception {
        Path caption = Files.writeString(work.resolve("a.txt"), "a cat");
        IngestInputs.Found found = new IngestInputs(true, false).of(List.of(caption));
        assertThat(found.files()).isEmpty();
        assertThat(found.setAside()).singleElement().satisfies(f -> assertThat(f.reason()).contains("caption"));
    }

    private Path dataset() throws Exception {
        Path root = work.resolve("set");
        Files.createDirectories(root.resolve("cat"));
        Files.createDirectories(root.resolve("dog/puppies"));
        Files.createDirectories(root.resolve("train"));
        Files.createDirectories(root.resolve(".git/objects"));
        Files.write(root.resolve("cat/a.jpg"), new byte[]{1});
        Files.writeString(root.resolve("cat/a.txt"), "a cat");
        Files.writeString(root.resolve("cat/a.json"), "{}");
        Files.write(root.resolve("dog/puppies/c.png"), new byte[]{1});
        Files.writeString(root.resolve("dog/puppies/c.caption"), "a puppy");
        Files.write(root.resolve("top.jpg"), new byte[]{1});
        Files.write(root.resolve("top.jpg.part"), new byte[]{1});
        Files.writeString(root.resolve("orphan.caption"), "gone");
        Files.write(root.resolve("train/00000.tar"), new byte[]{1});
        Files.write(root.resolve("train/00000.parquet"), new byte[]{1});
        Files.writeString(root.resolve("train/00000_stats.json"), "{}");
        Files.write(root.resolve(".git/objects/x"), new byte[]{1});
        return root;
    }

    private static Map<String, String> reasons(IngestInputs.Found found) {
        Path root = found.files().isEmpty() ? null : found.files().get(0).folder();
        return found.setAside().stream().collect(Collectors.toMap(
                f -> root == null ? f.file() : root.relativize(Path.of(f.file())).toString().replace('\\', '/'),
                ImageIngest.Failure::reason));
    }
}
