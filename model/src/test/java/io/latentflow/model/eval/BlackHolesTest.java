package io.latentflow.model.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BlackHolesTest {

    @Test
    void countsExactlyThePlantedOutliersAndReportsTheWorstZ() {
        // 2 images x 2 channels x 16 positions; channel 0 has mean 0 and std 1, channel 1 mean 5 and std 0.5.
        int positions = 16;
        float[] latents = new float[2 * 2 * positions];
        Arrays.fill(latents, 0, positions, 0.3f);                       // image 0, channel 0
        Arrays.fill(latents, positions, 2 * positions, 5.2f);           // image 0, channel 1
        Arrays.fill(latents, 2 * positions, 3 * positions, -0.3f);      // image 1, channel 0
        Arrays.fill(latents, 3 * positions, 4 * positions, 4.9f);       // image 1, channel 1
        latents[3] = 6.5f;                           // z = 6.5, a black hole
        latents[2 * positions + 7] = -6.0f;          // z = 6 exactly: not beyond the threshold
        latents[positions + 1] = 5f + 0.5f * 9;      // z = 9 in channel 1, the worst
        latents[3 * positions + 2] = 5f - 0.5f * 7;  // z = -7 in channel 1
        double[] mean = {0, 5};
        double[] std = {1, 0.5};

        BlackHoles found = BlackHoles.scan(latents, 2, positions, mean, std, 6);

        assertThat(found.positions()).isEqualTo(3);
        assertThat(found.worstZ()).isCloseTo(9, within(1e-6));
    }

    @Test
    void aChannelWithoutSpreadHasNoOutliers() {
        float[] latents = {1, 1, 1, 1, 0, 0, 0, 100};
        BlackHoles found = BlackHoles.scan(latents, 1, 4, new double[] {1, 0}, new double[] {0, 1}, 6);
        assertThat(found.positions()).isEqualTo(1);
        assertThat(found.worstZ()).isEqualTo(100.0);
    }

    @Test
    void mergesByAddingCountsAndKeepingTheWorst() {
        assertThat(new BlackHoles(2, 7.5).merge(new BlackHoles(3, 6.1))).isEqualTo(new BlackHoles(5, 7.5));
        assertThat(BlackHoles.NONE.merge(new BlackHoles(1, 8))).isEqualTo(new BlackHoles(1, 8));
    }
}
