package io.latentflow.model.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class SourceSplitTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @Test
    void sourceIsThePartBeforeTheScaleForTileNamesAndTheStemOtherwise() {
        assertThat(SourceSplit.sourceOf("Autumn_s768_001.jpg")).isEqualTo("Autumn");
        assertThat(SourceSplit.sourceOf("summer_1am_s1280_035.jpg")).isEqualTo("summer_1am");
        assertThat(SourceSplit.sourceOf("holiday_photo.png")).isEqualTo("holiday_photo");
        assertThat(SourceSplit.sourceOf("IMG_s1_x.jpeg")).isEqualTo("IMG");
        assertThat(SourceSplit.sourceOf("noextension")).isEqualTo("noextension");
    }

    @Test
    void samplePhotosSplitBySourceWithNoSourceOnBothSides() throws IOException {
        List<Path> files = TrainingImages.list(PHOTOS);
        Function<Path, String> source = p -> SourceSplit.sourceOf(p.getFileName().toString());
        SourceSplit<Path> split = SourceSplit.of(files, source, SourceSplit.DEFAULT_VALIDATION_FRACTION);
        Set<String> trainingSources = new HashSet<>();
        split.training().forEach(p -> trainingSources.add(source.apply(p)));
        Set<String> validationSources = new HashSet<>();
        split.validation().forEach(p -> validationSources.add(source.apply(p)));
        assertThat(trainingSources).hasSize(10).doesNotContainAnyElementsOf(validationSources);
        assertThat(validationSources).hasSize(2).isEqualTo(split.validationSources());
        assertThat(split.training().size() + split.validation().size()).isEqualTo(files.size());
        assertThat(split.validation().size() / (double) files.size()).isBetween(0.15, 0.20);
    }

    @Test
    void aSourceKeepsItsSideWhateverElseIsInTheFolder() {
        List<String> names = List.of("a_s1_0.jpg", "a_s1_1.jpg", "b_s1_0.jpg", "c_s1_0.jpg", "d_s1_0.jpg",
                "e_s1_0.jpg", "f_s1_0.jpg");
        SourceSplit<String> split = SourceSplit.of(names, SourceSplit::sourceOf, 1.0 / 6);
        assertThat(SourceSplit.of(names, SourceSplit::sourceOf, 1.0 / 6)).isEqualTo(split);
        assertThat(split.validationSources()).hasSize(1);
        List<String> reversed = new java.util.ArrayList<>(names);
        java.util.Collections.reverse(reversed);
        assertThat(SourceSplit.of(reversed, SourceSplit::sourceOf, 1.0 / 6).validationSources())
                .isEqualTo(split.validationSources());
    }

    @Test
    void oneSourceCannotValidate() {
        SourceSplit<String> split = SourceSplit.of(List.of("x_s1_0.jpg", "x_s2_1.jpg"), SourceSplit::sourceOf, 0.2);
        assertThat(split.validation()).isEmpty();
        assertThat(split.training()).hasSize(2);
    }
}
