package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.recipe.RecipeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceProfileTest {

    @TempDir
    Path dir;

    @Test
    void profilesEachChannelWithDecileBinsOfTheReferenceValues() {
        ReferenceProfile profile = ReferenceProfile.of("m", AutoencoderConfig.boundedF8C4(), Optional.empty(), 64,
                Latents.gaussian(300, new double[]{0.5, -0.2, 0, 0.1}, new double[]{0.2, 0.4, 0.3, 0.6}, 2), "test");

        assertThat(profile.images()).isEqualTo(300);
        assertThat(profile.channel(0).mean()).isCloseTo(0.5, within(0.01));
        assertThat(profile.channel(3).std()).isCloseTo(0.6, within(0.01));
        assertThat(profile.channel(1).binEdges()).hasSize(9);
        assertThat(profile.channel(1).binEdges()[4]).as("median").isCloseTo(-0.2, within(0.02));
        assertThat(java.util.Arrays.stream(profile.channel(1).binFractions()).boxed().toList()).allSatisfy(f -> assertThat(f).isCloseTo(0.1, within(0.001)));
        // P(|v| > 1): channel 3 N(0.1, 0.6^2) 0.1002, channel 1 N(-0.2, 0.4^2) 0.0241, the others about 0
        assertThat(profile.fractionOutsideUnit()).isCloseTo((0.1002 + 0.0241) / 4, within(0.003));
        assertThat(profile.expectedScale().basis()).isEqualTo(ExpectedScale.REFERENCE);
        assertThat(profile.expectedScale().std()).isEqualTo(profile.std());
    }

    @Test
    void repeatedValuesCollapseBinsInsteadOfLeavingEmptyOnes() {
        // tanh saturation: half of channel 0's values sit exactly at 1
        List<float[]> latents = Latents.standard(100, 4);
        for (float[] latent : latents) {
            for (int p = 0; p < Latents.POSITIONS / 2; p++) {
                latent[p] = 1f;
            }
        }
        ReferenceProfile profile = ReferenceProfile.of("m", AutoencoderConfig.boundedF8C4(), Optional.empty(), 64,
                latents, "test");

        ReferenceChannel saturated = profile.channel(0);
        assertThat(saturated.binEdges()).hasSizeLessThan(9).isSorted();
        assertThat(java.util.Arrays.stream(saturated.binFractions()).boxed().toList()).allSatisfy(f -> assertThat(f).isPositive());
        assertThat(saturated.binFractions()[saturated.binFractions().length - 1]).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void theExpectedScaleIsUnitForUnboundedLatentsAndTheRecipesTargetForTrainedBoundedOnes() {
        List<float[]> latents = Latents.standard(20, 5);
        ReferenceProfile kl = ReferenceProfile.of("kl", AutoencoderConfig.klVaeF8C4(), Optional.empty(), 64, latents, "t");
        ReferenceProfile trained = ReferenceProfile.of("b", AutoencoderConfig.boundedF8C4(),
                Optional.of(RecipeConfig.boundedAe()), 64, latents, "t");

        assertThat(kl.expectedScale()).isEqualTo(new ExpectedScale(1, ExpectedScale.UNIT));
        assertThat(trained.expectedScale().std()).isCloseTo(Math.sqrt(RecipeConfig.DEFAULT_VARIANCE_TARGET), within(1e-12));
        assertThat(trained.expectedScale().basis()).isEqualTo(ExpectedScale.RECIPE);
    }

    @Test
    void imagesTexturedLikeTheReferenceImagesAreAboutOneNovelAndOthersMore() {
        ReferenceProfile profile = Latents.standardProfile();

        double familiar = Latents.standard(50, 77).stream().mapToDouble(profile::novelty).average().orElseThrow();
        double shifted = Latents.gaussian(50, new double[]{0.5, 0, 0, 0}, new double[]{0.5, 0.5, 0.5, 0.5}, 78)
                .stream().mapToDouble(profile::novelty).average().orElseThrow();
        double correlated = Latents.correlated(50, 0.9, 79).stream().mapToDouble(profile::novelty).average()
                .orElseThrow();
        double flatFills = Latents.flatFills(50, 80).stream().mapToDouble(profile::novelty).average().orElseThrow();

        assertThat(familiar).isBetween(0.7, 1.3);
        assertThat(shifted).as("a shift or scale of the values is MEAN_SHIFT's and VARIANCE_RATIO's, not texture")
                .isBetween(0.7, 1.3);
        assertThat(correlated).as("channels moving together").isGreaterThan(2);
        assertThat(flatFills).as("flat regions with sharp edges, as drawn images have").isGreaterThan(2);
        assertThat(profile.novelty(Latents.standard(400, 1).get(3))).as("a reference image itself").isLessThan(1.3);
    }

    @Test
    void writesAndReadsBackItsJson() throws Exception {
        ReferenceProfile profile = Latents.standardProfile();
        Path file = dir.resolve(ReferenceProfile.FILE_NAME);

        profile.write(file);
        ReferenceProfile read = ReferenceProfile.read(file);

        assertThat(read).usingRecursiveComparison().isEqualTo(profile);
        assertThat(Files.readString(file)).contains("\"modelVersion\" : \"test-model\"", "\"binEdges\"");
        assertThat(ReferenceProfile.storedIn(dir)).isPresent();
        assertThat(ReferenceProfile.storedIn(dir.resolve("nothing-here"))).isEmpty();
    }

    @Test
    void aDamagedProfileIsRefusedWithTheFileNamed() throws Exception {
        Path file = dir.resolve(ReferenceProfile.FILE_NAME);
        Files.writeString(file, "{\"formatVersion\": 1, \"modelVersion\": \"m\"}");

        assertThatThrownBy(() -> ReferenceProfile.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("compute the profile again");
    }
}
