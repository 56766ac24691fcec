package io.latentflow.model.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeldOutSplitTest {

    @TempDir
    Path temp;

    private List<Path> files(String source, int count) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path file = temp.resolve(source + "_s256_" + i + ".png");
            Files.writeString(file, source + " image " + i, StandardCharsets.UTF_8);
            files.add(file);
        }
        return files;
    }

    /** Two coarse labels: a source split would train on one and judge on the other; a content split uses both. */
    @Test
    void twoCoarseSourcesAreSplitByContentSoBothTrainAndBothAreJudged() throws IOException {
        List<Path> files = new ArrayList<>(files("photos", 120));
        files.addAll(files("illustrations", 60));

        HeldOutSplit split = HeldOutSplit.of(files, 1.0 / 6);

        assertThat(split.bySource()).isFalse();
        assertThat(split.basis()).isEqualTo("content");
        assertThat(split.heldOutSources()).containsExactlyInAnyOrder("photos", "illustrations");
        assertThat(split.training()).anyMatch(f -> f.getFileName().toString().startsWith("photos"))
                .anyMatch(f -> f.getFileName().toString().startsWith("illustrations"));
        assertThat(split.heldOut().size()).as("about a sixth of 180").isBetween(15, 45);
        assertThat(split.training().size() + split.heldOut().size()).isEqualTo(180);
    }

    @Test
    void anImageKeepsItsSideByItsBytesWhateverItsNameAndTheOtherFiles() throws IOException {
        List<Path> files = files("photos", 60);
        HeldOutSplit first = HeldOutSplit.of(files, 1.0 / 6);
        Path heldOut = first.heldOut().get(0);
        Path renamed = Files.copy(heldOut, temp.resolve("other_name.png"));

        HeldOutSplit again = HeldOutSplit.of(List.of(renamed, files.get(1)), 1.0 / 6);

        assertThat(again.heldOut()).contains(renamed);
        assertThat(HeldOutSplit.of(files, 1.0 / 6)).isEqualTo(first);
    }

    @Test
    void enoughSourcesAreHeldOutWhole() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            files.addAll(files("source" + s, 5));
        }

        HeldOutSplit split = HeldOutSplit.of(files, 1.0 / 6);

        assertThat(split.bySource()).isTrue();
        assertThat(split.heldOutSources()).hasSize(2);
        assertThat(split.heldOut()).hasSize(10);
        assertThat(split.training()).noneMatch(f -> split.heldOutSources().contains(
                SourceSplit.sourceOf(f.getFileName().toString())));
    }

    @Test
    void howManyImagesAreNeededForMoreHeldOutOnes() {
        assertThat(HeldOutSplit.imagesFor(8, 1.0 / 6)).isEqualTo(48);
        assertThat(HeldOutSplit.imagesFor(0, 1.0 / 6)).isZero();
    }
}
