package io.latentflow.model.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MomentsTest {

    @Test
    void summarisesAKnownSequence() {
        Moments moments = Moments.of(new float[] {2, 4, 4, 4, 5, 5, 7, 9}, 0, 8);
        assertThat(moments.count()).isEqualTo(8);
        assertThat(moments.mean()).isEqualTo(5.0);
        assertThat(moments.std()).isEqualTo(2.0); // the textbook population-std example
        assertThat(moments.min()).isEqualTo(2.0);
        assertThat(moments.max()).isEqualTo(9.0);
    }

    @Test
    void mergingPartsInAnyOrderEqualsTheWhole() {
        float[] values = new float[1000];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * 3 + 1);
        }
        Moments whole = Moments.of(values, 0, values.length);
        Moments forward = Moments.of(values, 0, 1).merge(Moments.of(values, 1, 399)).merge(Moments.of(values, 400, 600));
        Moments backward = Moments.of(values, 400, 600).merge(Moments.of(values, 0, 400));
        for (Moments merged : new Moments[] {forward, backward}) {
            assertThat(merged.count()).isEqualTo(whole.count());
            assertThat(merged.mean()).isCloseTo(whole.mean(), within(1e-12));
            assertThat(merged.variance()).isCloseTo(whole.variance(), within(1e-10));
            assertThat(merged.min()).isEqualTo(whole.min());
            assertThat(merged.max()).isEqualTo(whole.max());
        }
        assertThat(Moments.EMPTY.merge(whole)).isEqualTo(whole);
        assertThat(whole.merge(Moments.EMPTY)).isEqualTo(whole);
    }

    @Test
    void staysAccurateFarFromZeroWhereASumOfSquaresCancels() {
        // Values 1e4 + {0, 0.5, 1}: variance 1/6. A float sum of squares of 1e8-sized terms cannot see it.
        Moments merged = Moments.EMPTY;
        for (int i = 0; i < 3000; i++) {
            merged = merged.merge(Moments.of(new float[] {10000f + (i % 3) * 0.5f}, 0, 1));
        }
        assertThat(merged.variance()).isCloseTo(1.0 / 6, within(1e-9));
    }
}
