package io.latentflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

    @Test
    void theIntervalContainsTheMeanAndNarrowsWithMoreImages() {
        SplittableRandom random = new SplittableRandom(3);
        double[] few = new double[20];
        double[] many = new double[2000];
        for (int i = 0; i < many.length; i++) {
            double value = 0.5 + random.nextGaussian();
            many[i] = value;
            if (i < few.length) {
                few[i] = value;
            }
        }
        PairedBootstrap.Interval small = PairedBootstrap.defaults().of(few);
        PairedBootstrap.Interval large = PairedBootstrap.defaults().of(many);
        assertThat(small.low()).isLessThan(small.mean());
        assertThat(small.high()).isGreaterThan(small.mean());
        assertThat(large.high() - large.low()).isLessThan((small.high() - small.low()) / 5);
        // standard error 1 / sqrt(2000) = 0.022: the 95 % interval is about +-0.044 around the sample mean
        assertThat(large.high() - large.low()).isBetween(0.07, 0.11);
        assertThat(large.low()).isLessThan(0.5).as("covers the true mean");
        assertThat(large.high()).isGreaterThan(0.5);
    }

    @Test
    void pairingCancelsWhatBothModelsShare() {
        SplittableRandom random = new SplittableRandom(5);
        double[] a = new double[200];
        double[] b = new double[200];
        for (int i = 0; i < a.length; i++) {
            double difficulty = 20 + 5 * random.nextGaussian(); // images differ a lot, the models' gap little
            a[i] = difficulty;
            b[i] = difficulty + 0.3 + 0.05 * random.nextGaussian();
        }
        PairedBootstrap.Interval delta = PairedBootstrap.defaults().ofDifferences(a, b);
        assertThat(delta.mean()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.02));
        assertThat(delta.low()).isGreaterThan(0.28);
        assertThat(delta.high()).isLessThan(0.32);
    }

    @Test
    void isReproducibleAndRefusesNothingToResample() {
        double[] values = {1, 2, 3, 4, 10};
        assertThat(PairedBootstrap.defaults().of(values)).isEqualTo(PairedBootstrap.defaults().of(values));
        assertThat(PairedBootstrap.defaults().of(new double[] {2.5})).isEqualTo(new PairedBootstrap.Interval(2.5, 2.5, 2.5, 1));
        assertThatThrownBy(() -> PairedBootstrap.defaults().of(new double[0])).hasMessageContaining("empty");
    }
}
