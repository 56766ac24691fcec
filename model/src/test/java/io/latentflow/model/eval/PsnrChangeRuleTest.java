package io.latentflow.model.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate's interval rule on per-image PSNR changes, each side made to fail on its own. */
class PsnrChangeRuleTest {

    private static final GateThresholds THRESHOLDS = GateThresholds.DEFAULTS; // gain > +0.10, loss < 0.30 dB

    /** {@code count} changes alternating mean - spread and mean + spread: mean exactly {@code mean}. */
    private static PairedBootstrap.Interval changes(double mean, double spread, int count) {
        double[] serving = new double[count];
        double[] candidate = new double[count];
        for (int i = 0; i < count; i++) {
            serving[i] = 30;
            candidate[i] = 30 + mean + (i % 2 == 0 ? -spread : spread);
        }
        return PairedBootstrap.defaults().ofDifferences(serving, candidate);
    }

    @Test
    void aConsistentGainOnRecentImagesAndNoLossOnOlderOnesPasses() {
        List<String> failures = PsnrChangeRule.failures(changes(0.5, 0.1, 40), changes(0.0, 0.05, 40), THRESHOLDS);

        assertThat(failures).isEmpty();
    }

    @Test
    void aMeanGainAboveTheThresholdWhoseIntervalReachesBelowItIsNotAnImprovement() {
        PairedBootstrap.Interval noisy = changes(0.5, 3.0, 20);
        assertThat(noisy.mean()).as("the point estimate alone would pass").isGreaterThan(0.1);

        List<String> failures = PsnrChangeRule.failures(noisy, changes(0.0, 0.05, 40), THRESHOLDS);

        assertThat(noisy.low()).isLessThan(0.1);
        assertThat(failures).singleElement().asString().startsWith("recent images: PSNR change +0.50 dB, 95 %"
                + " interval [").contains("on 20 images").contains("not above the +0.10 dB gain needed");
    }

    @Test
    void anOlderLossWithinTheAllowanceOnAverageButNotInItsIntervalIsRejected() {
        PairedBootstrap.Interval older = changes(-0.2, 1.0, 20);
        assertThat(older.mean()).as("the point estimate alone would pass").isGreaterThan(-0.3);

        List<String> failures = PsnrChangeRule.failures(changes(0.5, 0.1, 40), older, THRESHOLDS);

        assertThat(failures).singleElement().asString().startsWith("older images: PSNR change -0.20 dB")
                .contains("lower bound is below the 0.30 dB loss allowed (-0.30 dB)");
    }

    @Test
    void aClearOlderLossFailsEvenWithAClearRecentGain() {
        List<String> failures = PsnrChangeRule.failures(changes(1.0, 0.1, 40), changes(-0.8, 0.1, 40), THRESHOLDS);

        assertThat(failures).singleElement().asString().startsWith("older images");
    }
}
