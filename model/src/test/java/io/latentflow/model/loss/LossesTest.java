package io.latentflow.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LossesTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void l1AndL2OfKnownDifferences() {
        NDArray prediction = manager.create(new float[] {0.5f, -1f, 0f, 1f}, new Shape(1, 1, 2, 2));
        NDArray target = manager.create(new float[] {0f, 0f, 0f, -1f}, new Shape(1, 1, 2, 2));
        // differences 0.5, -1, 0, 2
        assertThat(Losses.l1(prediction, target).getFloat()).isCloseTo((0.5f + 1 + 0 + 2) / 4, within(1e-6f));
        assertThat(Losses.l2(prediction, target).getFloat()).isCloseTo((0.25f + 1 + 0 + 4) / 4, within(1e-6f));
    }

    @Test
    void channelVarianceIsOverBatchAndPositionsPerChannel() {
        // N=2, C=2, H=1, W=2. Channel 0 holds 1, 3 | 5, 7 (mean 4, variance (9+1+1+9)/4 = 5);
        // channel 1 holds 0.5 everywhere (variance 0).
        NDArray latents = manager.create(new float[] {1, 3, 0.5f, 0.5f, 5, 7, 0.5f, 0.5f}, new Shape(2, 2, 1, 2));
        assertThat(Losses.channelVariance(latents).toFloatArray()).containsExactly(new float[] {5f, 0f},
                within(1e-6f));
        // mean over channels of (var - 0.6)^2 = ((4.4)^2 + (0.6)^2) / 2
        assertThat(Losses.varianceLoss(latents, 0.6).getFloat())
                .isCloseTo((float) ((4.4 * 4.4 + 0.36) / 2), within(1e-5f));
    }

    @Test
    void klMatchesTheClosedFormForKnownMeansAndLogVariances() {
        // Per element 0.5 * (mu^2 + exp(lv) - 1 - lv):
        // (0, 0) -> 0; (1, 0) -> 0.5; (0, ln 2) -> 0.5 * (1 - ln 2); (-2, -1) -> 0.5 * (4 + e^-1 - 1 + 1)
        float ln2 = (float) Math.log(2);
        NDArray mean = manager.create(new float[] {0, 1, 0, -2}, new Shape(2, 1, 1, 2));
        NDArray logVariance = manager.create(new float[] {0, 0, ln2, -1}, new Shape(2, 1, 1, 2));
        double expectedSum = 0 + 0.5 + 0.5 * (1 - Math.log(2)) + 0.5 * (4 + Math.exp(-1));
        assertThat(Losses.klDivergence(mean, logVariance).getFloat())
                .as("summed over elements, averaged over the batch of 2")
                .isCloseTo((float) (expectedSum / 2), within(1e-5f));
    }

    @Test
    void klOfTheStandardNormalIsZero() {
        NDArray zeros = manager.zeros(new Shape(3, 4, 2, 2));
        assertThat(Losses.klDivergence(zeros, zeros).getFloat()).isZero();
    }
}
