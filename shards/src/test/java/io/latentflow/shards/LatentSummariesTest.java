package io.latentflow.shards;

import io.latentflow.schemas.LatentSummary;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LatentSummariesTest {

    @Test
    void summarisesKnownValues() {
        LatentSummary summary = LatentSummaries.of(new float[]{-2f, -1f, 0f, 1f, 2f});
        assertThat(summary.getMean()).isEqualTo(0f);
        assertThat(summary.getStd()).isCloseTo((float) Math.sqrt(2), within(1e-6f));
        assertThat(summary.getMin()).isEqualTo(-2f);
        assertThat(summary.getMax()).isEqualTo(2f);
        assertThat(summary.getFractionOutsideUnit()).as("only |v| > 1 counts, not |v| = 1").isEqualTo(0.4f);
    }

    @Test
    void staysAccurateForValuesFarFromZero() {
        Random random = new Random(5);
        float[] values = new float[4096];
        for (int i = 0; i < values.length; i++) {
            values[i] = 10_000f + (float) random.nextGaussian() * 0.01f;
        }
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double squares = 0;
        for (float v : values) {
            squares += (v - mean) * (v - mean);
        }
        double twoPassStd = Math.sqrt(squares / values.length);
        LatentSummary summary = LatentSummaries.of(values);
        assertThat((double) summary.getStd()).isCloseTo(twoPassStd, within(twoPassStd * 1e-4));
        assertThat((double) summary.getMean()).isCloseTo(mean, within(1e-3));
        assertThat(summary.getFractionOutsideUnit()).isEqualTo(1f);
    }

    @Test
    void refusesAnEmptyLatent() {
        assertThatThrownBy(() -> LatentSummaries.of(new float[0])).hasMessageContaining("empty");
    }
}
