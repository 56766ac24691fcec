package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class DriftScorerTest {

    private static final DriftThresholds THRESHOLDS = new DriftThresholds(0.5, 0.5, 0.25, 1.5, 1, 2, 1e-3, 2, 0.25, 0.8,
            2, 8);
    private final ReferenceProfile profile = Latents.standardProfile();
    private final DriftScorer scorer = new DriftScorer(profile, THRESHOLDS);

    @Test
    void psiOfKnownDistributions() {
        assertThat(DriftScorer.psi(new double[]{0.25, 0.25, 0.5}, new double[]{0.25, 0.25, 0.5})).isZero();
        // (0.2 - 0.5) ln(0.2 / 0.5) + (0.8 - 0.5) ln(0.8 / 0.5)
        assertThat(DriftScorer.psi(new double[]{0.2, 0.8}, new double[]{0.5, 0.5})).isCloseTo(0.41589, within(1e-5));
        // an empty bin counts as 1e-4, not as an infinite log ratio
        assertThat(DriftScorer.psi(new double[]{0, 1}, new double[]{0.5, 0.5}))
                .isCloseTo((1e-4 - 0.5) * Math.log(1e-4 / 0.5) + 0.5 * Math.log(2), within(1e-9));
    }

    @Test
    void windowsFromTheReferenceDistributionScoreLowAndRaiseNothing() {
        for (long seed = 10; seed < 20; seed++) {
            DriftAssessment assessment = scorer.assess(Latents.window(profile, Latents.standard(32, seed)));

            assertThat(assessment.score()).as("seed %d", seed).isLessThan(0.5);
            assertThat(assessment.findings()).isEmpty();
            assertThat(assessment.level()).isEqualTo(Severity.OK);
        }
    }

    @Test
    void aMeanShiftOfOneReferenceStdIsMeasuredAndNamed() {
        double std = profile.channel(2).std();
        WindowStatistics window = Latents.window(profile, Latents.gaussian(64, new double[]{0, 0, std, 0},
                new double[]{0.25, 0.25, 0.25, 0.25}, 21));

        DriftAssessment assessment = scorer.assess(window);

        ChannelDrift moved = assessment.channels().get(2);
        assertThat(moved.meanShift()).isCloseTo(1, within(0.05));
        // PSI of a one-std shift of a normal over its deciles is about 0.9 (J-divergence 1, less the binning)
        assertThat(moved.psi()).isBetween(0.7, 1.1);
        assertThat(assessment.score()).isGreaterThanOrEqualTo(moved.psi() / 0.25).isGreaterThan(2);
        assertThat(assessment.level()).isEqualTo(Severity.CRITICAL);
        // the texture is that of the reference images: NOVELTY stays quiet, the marginals name the shift
        assertThat(assessment.findings()).extracting(DriftFinding::channel, DriftFinding::statistic)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(2, DriftStatistic.PSI),
                        org.assertj.core.groups.Tuple.tuple(2, DriftStatistic.MEAN_SHIFT));
        DriftFinding shift = assessment.findings().stream()
                .filter(f -> f.statistic() == DriftStatistic.MEAN_SHIFT).findFirst().orElseThrow();
        assertThat(shift.threshold()).isEqualTo(0.5);
        assertThat(shift.observed()).isCloseTo(std, within(0.05));
        assertThat(shift.reference()).isEqualTo(profile.channel(2).mean());
    }

    @Test
    void aWiderChannelShowsItsVarianceRatio() {
        WindowStatistics window = Latents.window(profile, Latents.gaussian(64, new double[]{0, 0, 0, 0},
                new double[]{0.5, 0.25, 0.25, 0.25}, 22));

        DriftAssessment assessment = scorer.assess(window);

        assertThat(assessment.channels().get(0).varianceRatio()).isCloseTo(4, within(0.3));
        DriftFinding ratio = assessment.findings().stream()
                .filter(f -> f.statistic() == DriftStatistic.VARIANCE_RATIO).findFirst().orElseThrow();
        assertThat(ratio.channel()).isZero();
        assertThat(ratio.threshold()).isCloseTo(Math.exp(0.5), within(1e-12));
        assertThat(ratio.describe()).startsWith("channel 0 VARIANCE_RATIO 4").contains("> 1.65");
    }

    @Test
    void unboundedLatentsAtTheWrongScaleAreNamedScale() {
        // like Stable Diffusion's VAE served without its 0.18215: std about 5; the model promises unit scale
        ReferenceProfile unbounded = unboundedProfile(5);
        DriftScorer klScorer = new DriftScorer(unbounded, THRESHOLDS);

        DriftAssessment assessment = klScorer.assess(Latents.window(unbounded, Latents.gaussian(32,
                new double[]{0, 0, 0, 0}, new double[]{5, 5, 5, 5}, 24)));

        assertThat(assessment.score()).as("no drift against its own reference").isLessThan(1);
        assertThat(assessment.findings()).extracting(DriftFinding::statistic).containsExactly(DriftStatistic.SCALE);
        DriftFinding scale = assessment.findings().get(0);
        assertThat(scale.channel()).isEqualTo(DriftFinding.ALL_CHANNELS);
        assertThat(scale.value()).isCloseTo(5, within(0.2));
        assertThat(scale.threshold()).isEqualTo(2);
        assertThat(scale.reference()).isEqualTo(1);
        assertThat(assessment.level()).isEqualTo(Severity.WARNING);
    }

    @Test
    void unitScaleUnboundedLatentsRaiseNoPathologyThoughAThirdLieOutsideTheUnitRange() {
        // an imported diffusion VAE's latents, scaled as a diffusion model consumes them: N(0, 1)
        ReferenceProfile unbounded = unboundedProfile(1);
        WindowStatistics window = Latents.window(unbounded, Latents.gaussian(32, new double[]{0, 0, 0, 0},
                new double[]{1, 1, 1, 1}, 26));

        DriftAssessment assessment = new DriftScorer(unbounded, THRESHOLDS).assess(window);

        assertThat(window.fractionOutsideUnit()).isCloseTo(0.317, within(0.01));
        assertThat(assessment.findings()).isEmpty();
        assertThat(assessment.level()).isEqualTo(Severity.OK);
    }

    @Test
    void boundedLatentsOutsideTheUnitRangeAreNamedOutOfRange() {
        WindowStatistics window = Latents.window(profile, Latents.gaussian(32, new double[]{0, 0, 0, 0},
                new double[]{1, 1, 1, 1}, 27));

        DriftAssessment assessment = scorer.assess(window);

        assertThat(assessment.findings()).extracting(DriftFinding::statistic).contains(DriftStatistic.OUT_OF_RANGE);
    }

    private static ReferenceProfile unboundedProfile(double std) {
        return ReferenceProfile.of("kl", io.latentflow.model.AutoencoderConfig.klVaeF8C4(), java.util.Optional.empty(),
                64, Latents.gaussian(100, new double[]{0, 0, 0, 0}, new double[]{std, std, std, std}, 23), "t");
    }

    @Test
    void blackHolesPerImageAboveTheBoundAreAPathology() {
        List<float[]> latents = Latents.standard(32, 25);
        for (int i = 0; i < 16; i++) {
            latents.get(i)[i] = 2f; // one black hole in every other image: 8 reference std
        }

        DriftAssessment assessment = scorer.assess(Latents.window(profile, latents));

        DriftFinding holes = assessment.findings().get(assessment.findings().size() - 1);
        assertThat(holes.statistic()).isEqualTo(DriftStatistic.BLACK_HOLES);
        assertThat(holes.value()).isEqualTo(0.5);
        assertThat(holes.threshold()).isEqualTo(0.25); // the reference has none: its most holed window 0, plus 0.25
        // a lone spike also makes those images' fine structure heavy-tailed, which NOVELTY sees as well
        assertThat(assessment.level()).isIn(Severity.WARNING, Severity.CRITICAL);
    }
}
