package io.latentflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentSpaceTest {

    @TempDir
    Path work;

    @Test
    void theSameEncoderWeightsLoadedTwiceAreTheSameLatentSpace() throws Exception {
        Path dir = ServingModel.extractDefault(work.resolve("default"));

        try (ServingModel model = ServingModel.load(dir); ServingModel again = ServingModel.loadDefault()) {
            assertThat(model.latentSpace()).matches("ls-[0-9a-f]{16}");
            assertThat(again.latentSpace()).as("the same files, the same space").isEqualTo(model.latentSpace());
        }
        assertThat(Files.exists(dir)).isTrue();
    }

    @Test
    void otherEncoderWeightsAreAnotherLatentSpace() {
        try (ServingModel one = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 1, "one");
             ServingModel sameSeed = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 1, "renamed");
             ServingModel other = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 2, "two")) {
            assertThat(sameSeed.latentSpace()).as("the version name is not the space").isEqualTo(one.latentSpace());
            assertThat(other.latentSpace()).isNotEqualTo(one.latentSpace());
        }
    }
}
