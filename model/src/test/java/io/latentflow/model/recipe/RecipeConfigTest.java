package io.latentflow.model.recipe;

import io.latentflow.model.AutoencoderConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecipeConfigTest {

    @Test
    void presetsSurviveAJsonRoundTrip() {
        for (RecipeConfig recipe : new RecipeConfig[] {RecipeConfig.boundedAe(), RecipeConfig.klVae(),
                RecipeConfig.boundedAe().withoutPerturbations(), RecipeConfig.boundedAe().withDiscriminator()}) {
            assertThat(RecipeConfig.fromJson(recipe.toJson())).isEqualTo(recipe);
        }
        assertThat(RecipeConfig.boundedAe().toJson()).contains("\"kind\" : \"bounded-ae\"");
        assertThat(RecipeConfig.klVae().toJson()).contains("\"kind\" : \"kl-vae\"");
    }

    @Test
    void presetsFollowTheRecipesOfTheIssue() {
        RecipeConfig bounded = RecipeConfig.boundedAe();
        assertThat(bounded.klWeight()).isZero();
        assertThat(bounded.variance().target()).isEqualTo(0.6);
        assertThat(bounded.perturbations().any()).isTrue();
        assertThat(bounded.adversarial().enabled()).isFalse();
        assertThat(bounded.withoutPerturbations().perturbations().any()).isFalse();
        assertThat(bounded.withDiscriminator().adversarial().enabled()).isTrue();
        assertThat(bounded.withDiscriminator().withoutDiscriminator()).isEqualTo(bounded);
        assertThat(bounded.emaDecay()).isEqualTo(0.999);
        assertThat(bounded.withoutWeightAverage().emaDecay()).isZero();
        assertThat(bounded.withoutWeightAverage().perturbations()).isEqualTo(bounded.perturbations());
        RecipeConfig kl = RecipeConfig.klVae();
        assertThat(kl.klWeight()).isEqualTo(1e-6);
        assertThat(kl.variance().weight()).isZero();
        assertThat(kl.perturbations().any()).isFalse();
    }

    @Test
    void scaleEquivarianceIsOffInBothPresetsAndInARecipeWrittenBeforeIt() {
        assertThat(RecipeConfig.boundedAe().scaleEquivariance()).isZero();
        assertThat(RecipeConfig.klVae().scaleEquivariance()).isZero();
        String before = RecipeConfig.boundedAe().toJson().replaceAll(",\\s*\"scaleEquivariance\" : 0\\.0", "");
        assertThat(before).doesNotContain("scaleEquivariance");
        assertThat(RecipeConfig.fromJson(before)).isEqualTo(RecipeConfig.boundedAe());
        RecipeConfig on = RecipeConfig.klVae().withScaleEquivariance(0.25);
        assertThat(RecipeConfig.fromJson(on.toJson()).scaleEquivariance()).isEqualTo(0.25);
        assertThat(on.withLearningRate(1e-4).withoutWeightAverage().scaleEquivariance()).isEqualTo(0.25);
        assertThatThrownBy(() -> RecipeConfig.boundedAe().withScaleEquivariance(-1))
                .hasMessageContaining("scaleEquivariance is -1.0");
    }

    @Test
    void recipeMustMatchTheLatentHead() {
        RecipeConfig.klVae().requireCompatible(AutoencoderConfig.klVaeF8C4());
        RecipeConfig.boundedAe().requireCompatible(AutoencoderConfig.boundedF8C8());
        assertThatThrownBy(() -> RecipeConfig.klVae().requireCompatible(AutoencoderConfig.boundedF8C8()))
                .hasMessageContaining("kl-vae").hasMessageContaining("latentKind");
    }

    @Test
    void invalidValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> RecipeConfig.fromJson(RecipeConfig.boundedAe().toJson()
                .replace("\"target\" : 0.6", "\"target\" : 1.2")))
                .hasMessageContaining("variance.target is 1.2");
        assertThatThrownBy(() -> RecipeConfig.fromJson(RecipeConfig.klVae().toJson()
                .replace("\"kind\" : \"kl-vae\"", "\"kind\" : \"vq-gan\"")))
                .hasMessageContaining("unknown recipe 'vq-gan'");
        assertThatThrownBy(() -> new Perturbation(1.5, 0.1)).hasMessageContaining("probability is 1.5");
        assertThatThrownBy(() -> new Perturbations(null, null, null, new Perturbation(1, 1.5), null))
                .hasMessageContaining("shift strength");
        assertThatThrownBy(() -> new RecipeConfig(RecipeKind.KL_VAE, new ReconstructionWeights(1, 0, 0),
                new VarianceTarget(0.1, 0.6), 1e-6, null, null, 1e-3, 0.999, null))
                .hasMessageContaining("variance.weight");
    }

    @Test
    void theAdversarialWarmUpMovesForShortRunsAndKeepsTheLeadWithinTheStart() {
        RecipeConfig moved = RecipeConfig.boundedAe().withDiscriminator().withAdversarialSchedule(200, 100);
        assertThat(moved.adversarial().enabled()).isTrue();
        assertThat(moved.adversarial().startStep()).isEqualTo(200);
        assertThat(moved.adversarial().discriminatorStartStep()).isEqualTo(100);

        RecipeConfig capped = RecipeConfig.boundedAe().withDiscriminator().withAdversarialSchedule(200, null);
        assertThat(capped.adversarial().discriminatorLead()).isEqualTo(200);
        assertThat(capped.adversarial().discriminatorStartStep()).isZero();

        assertThatThrownBy(() -> RecipeConfig.boundedAe().withAdversarialSchedule(100, 150))
                .hasMessageContaining("discriminatorLead");
    }
}
