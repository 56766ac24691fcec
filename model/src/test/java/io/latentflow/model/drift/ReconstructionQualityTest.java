package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latentflow.model.eval.ValidationPsnr;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** QUALITY: a window's sampled reconstruction PSNRs against the version's validation PSNR distribution. */
class ReconstructionQualityTest {

    /** A version validated at 28 dB median, spread 2 dB: its 5th percentile near 24.7 dB. */
    private static final ValidationPsnr VALIDATION = ValidationPsnr.of(256, draws(new Random(1), 600, 28, 2));
    private final ReconstructionQuality quality = new ReconstructionQuality(VALIDATION);

    @Test
    void windowsOfPsnrsDrawnFromTheValidationDistributionStayQuiet() {
        Random random = new Random(2);
        int warned = 0;
        for (int window = 0; window < 2000; window++) {
            int samples = ReconstructionQuality.MIN_SAMPLES + random.nextInt(12);
            if (quality.score(draws(random, samples, 28, 2)).orElseThrow() >= 1) {
                warned++;
            }
        }
        // under the validation distribution, a median of 5+ samples below its 5th percentile is well under 1 in 100
        assertThat(warned).isLessThanOrEqualTo(2000 / 100);
    }

    @Test
    void windowsReconstructedClearlyWorseWarnAndFarWorseAreCritical() {
        Random random = new Random(3);
        double warning = quality.score(draws(random, 8, 23.5, 1)).orElseThrow();
        double critical = quality.score(draws(random, 8, 18, 1)).orElseThrow();

        assertThat(warning).isBetween(1.0, 2.0);
        assertThat(critical).isGreaterThanOrEqualTo(2);
    }

    @Test
    void tooFewSamplesGiveNoVerdictHoweverBad() {
        assertThat(quality.score(new double[]{5, 6, 7, 8})).isEmpty();
        assertThat(quality.score(new double[]{5, 6, 7, 8, 9})).isPresent();
    }

    @Test
    void oneBrokenImageDoesNotDecideAWindow() {
        assertThat(quality.score(new double[]{3, 29, 30, 31, 32}).orElseThrow()).isZero();
    }

    @Test
    void theLevelsAreReadFromTheValidationData() {
        double median = VALIDATION.median();
        double fifth = VALIDATION.at(0.05);

        assertThat(quality.psnrAtScore(1)).isCloseTo(fifth, within(1e-9));
        assertThat(quality.psnrAtScore(2)).isCloseTo(2 * fifth - median, within(1e-9));
        assertThat(quality.scoreOfMedian(median + 5)).isZero();
    }

    @Test
    void theScorerRaisesQualityWhateverTheLatentsSay() {
        ReferenceProfile profile = Latents.standardProfile();
        DriftScorer scorer = new DriftScorer(profile, DriftThresholds.DEFAULTS).withValidationPsnr(VALIDATION);
        WindowStatistics latents = Latents.window(profile, Latents.standard(32, 4));
        WindowStatistics worse = withSampledPsnr(latents, draws(new Random(5), 8, 17, 1));
        WindowStatistics asValidated = withSampledPsnr(latents, draws(new Random(6), 8, 28, 2));

        DriftAssessment assessment = scorer.assess(worse);

        assertThat(assessment.level()).isEqualTo(Severity.CRITICAL);
        assertThat(assessment.findings()).extracting(DriftFinding::statistic).containsExactly(DriftStatistic.QUALITY);
        DriftFinding finding = assessment.findings().get(0);
        assertThat(finding.value()).isLessThan(finding.threshold());
        assertThat(finding.threshold()).isCloseTo(VALIDATION.at(0.05), within(1e-9));
        assertThat(finding.reference()).isEqualTo(VALIDATION.median());
        assertThat(scorer.assess(asValidated).level()).isEqualTo(Severity.OK);
        // without the version's validation PSNRs there is no yardstick, so no QUALITY
        assertThat(new DriftScorer(profile, DriftThresholds.DEFAULTS).assess(worse).level()).isEqualTo(Severity.OK);
    }

    @Test
    void sampledPsnrsSurviveTheWindowStateAndItsMerge() {
        ReferenceProfile profile = Latents.standardProfile();
        List<float[]> latents = Latents.standard(3, 7);
        WindowAccumulator a = new WindowAccumulator(profile);
        a.add("a", "s", 0, latents.get(0), 1, 21.5);
        a.add("b", "s", 0, latents.get(1), 1);
        WindowAccumulator b = new WindowAccumulator(profile);
        b.add("c", "s", 0, latents.get(2), 1, 30.25);

        a.merge(WindowAccumulator.fromBytes(b.toBytes()));

        assertThat(WindowAccumulator.fromBytes(a.toBytes()).result().sampledPsnr()).containsExactly(21.5, 30.25);
    }

    private static WindowStatistics withSampledPsnr(WindowStatistics window, double[] psnr) {
        return new WindowStatistics(window.images(), window.novelty(), window.quantileRanks(), window.channels(),
                window.outliers(), window.blackHoles(), psnr);
    }

    private static double[] draws(Random random, int count, double mean, double std) {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = mean + std * random.nextGaussian();
        }
        return values;
    }
}
