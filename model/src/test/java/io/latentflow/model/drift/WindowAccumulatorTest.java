package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class WindowAccumulatorTest {

    private final ReferenceProfile profile = Latents.standardProfile();

    @Test
    void mergingPartsInAnyOrderEqualsAccumulatingAllAtOnce() {
        List<float[]> latents = Latents.gaussian(90, new double[]{0.5, -0.2, 0, 0.1}, new double[]{0.2, 0.4, 0.3, 0.1}, 7);
        WindowStatistics all = Latents.window(profile, latents);

        WindowAccumulator first = accumulate(latents.subList(0, 10), 0);
        WindowAccumulator second = accumulate(latents.subList(10, 55), 10);
        WindowAccumulator third = accumulate(latents.subList(55, 90), 55);
        third.merge(first);
        third.merge(second);
        WindowStatistics merged = third.result();

        assertThat(merged.images()).isEqualTo(all.images()).isEqualTo(90);
        assertThat(merged.blackHoles()).isEqualTo(all.blackHoles());
        for (int c = 0; c < Latents.CHANNELS; c++) {
            ChannelStatistics a = all.channels().get(c);
            ChannelStatistics m = merged.channels().get(c);
            assertThat(m.count()).isEqualTo(a.count()).isEqualTo(90L * Latents.POSITIONS);
            assertThat(m.mean()).isCloseTo(a.mean(), within(1e-12));
            assertThat(m.variance()).isCloseTo(a.variance(), within(1e-12));
            assertThat(m.min()).isEqualTo(a.min());
            assertThat(m.max()).isEqualTo(a.max());
            assertThat(m.fractionOutsideUnit()).isEqualTo(a.fractionOutsideUnit());
            assertThat(m.binFractions()).containsExactly(a.binFractions());
            assertThat(m.blackHoles()).isEqualTo(a.blackHoles());
            // a sketch merged from parts is not the same sketch, but within its rank error of the same quantiles
            for (int q = 3; q <= 7; q++) { // ranks 0.1 .. 0.9; a tail quantile of a few thousand values is rank noise
                assertThat(m.quantiles()[q]).isCloseTo(a.quantiles()[q], within(0.15 * Math.sqrt(a.variance())));
            }
        }
        assertThat(merged.outliers()).isEqualTo(all.outliers()).hasSize(WindowAccumulator.DEFAULT_OUTLIERS);
    }

    @Test
    void statisticsMatchTheDistributionTheValuesCameFrom() {
        List<float[]> latents = Latents.gaussian(200, new double[]{0.5, -0.2, 0, 0.1}, new double[]{0.2, 0.4, 0.25, 0.6}, 3);
        WindowStatistics window = Latents.window(profile, latents);

        ChannelStatistics shifted = window.channels().get(0);
        assertThat(shifted.mean()).isCloseTo(0.5, within(0.01));
        assertThat(shifted.std()).isCloseTo(0.2, within(0.01));
        // median and 90th percentile of N(0.5, 0.2^2), through the sketch
        assertThat(shifted.quantiles()[5]).isCloseTo(0.5, within(0.02));
        assertThat(shifted.quantiles()[7]).isCloseTo(0.5 + 1.2816 * 0.2, within(0.03));
        // P(|N(0.1, 0.6^2)| > 1) = P(Z > 1.5) + P(Z < -1.833) = 0.0668 + 0.0334
        assertThat(window.channels().get(3).fractionOutsideUnit()).isCloseTo(0.1002, within(0.01));
        assertThat(java.util.Arrays.stream(window.channels().get(2).binFractions()).boxed().toList()).allSatisfy(f -> assertThat(f).isCloseTo(0.1, within(0.02)));
    }

    @Test
    void blackHolesArePositionsBeyondSixReferenceStdCountedOnceWhateverTheirChannels() {
        List<float[]> latents = Latents.standard(50, 11);
        latents.get(3)[5] = 9f; // channel 0
        latents.get(7)[Latents.POSITIONS + 1] = -9f; // channel 1
        latents.get(7)[2 * Latents.POSITIONS + 1] = 9f; // channel 2 at the same position: still one hole
        latents.get(7)[Latents.POSITIONS + 2] = -9f;
        latents.get(9)[2 * Latents.POSITIONS] = 1.2f; // channel 2: under 5 reference std, not a black hole

        WindowStatistics window = Latents.window(profile, latents);

        assertThat(window.blackHoles()).isEqualTo(3);
        assertThat(window.channels()).extracting(ChannelStatistics::blackHoles).containsExactly(1L, 2L, 1L, 0L);
        assertThat(window.outliers().get(0).imageId()).isIn("image-3", "image-7");
        assertThat(window.outliers().get(0).worstZ()).isCloseTo(9 / profile.channel(0).std(), within(1.0));
        assertThat(window.outliers()).extracting(LatentOutlier::maxAbs).startsWith(9.0, 9.0);
    }

    @Test
    void aSmoothWindowsOrdinaryHighlightsAreNoBlackHoles() {
        // an out-of-focus photo: little spread (0.02 against the reference's 0.25), and a highlight at 3 reference
        // std in every image: 30 of the window's own std, which the decoder sees every day in the reference
        List<float[]> smooth = Latents.gaussian(32, new double[]{0, 0, 0, 0}, new double[]{0.02, 0.02, 0.02, 0.02},
                17);
        smooth.forEach(latent -> latent[10] = 0.75f);

        WindowStatistics window = Latents.window(profile, smooth);

        assertThat(window.blackHoles()).isZero();
    }

    @Test
    void serialisedStatisticsReadBackToTheSameResult() {
        WindowAccumulator accumulator = accumulate(Latents.gaussian(30, new double[]{1, 0, 0, 0},
                new double[]{2, 0.3, 0.3, 0.3}, 5), 0);

        WindowAccumulator restored = WindowAccumulator.fromBytes(accumulator.toBytes());

        WindowStatistics before = accumulator.result();
        WindowStatistics after = restored.result();
        assertThat(after.images()).isEqualTo(before.images());
        assertThat(after.outliers()).isEqualTo(before.outliers());
        assertThat(after.blackHoles()).isEqualTo(before.blackHoles()).isPositive(); // channel 0 reaches 6 reference std
        for (int c = 0; c < Latents.CHANNELS; c++) {
            ChannelStatistics a = before.channels().get(c);
            ChannelStatistics b = after.channels().get(c);
            assertThat(b).usingRecursiveComparison().isEqualTo(a);
        }
        // and it keeps accumulating
        restored.add("late", "synthetic", 99, Latents.standard(1, 9).get(0), 1);
        assertThat(restored.images()).isEqualTo(31);
    }

    @Test
    void aLatentOfAnotherShapeIsRefusedAndNothingIsAdded() {
        WindowAccumulator accumulator = new WindowAccumulator(profile);

        assertThatThrownBy(() -> accumulator.add("odd", "x", 0, new float[Latents.CHANNELS * 8 + 1], 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("odd").hasMessageContaining("4 channels").hasMessageContaining("test-model");
        assertThat(accumulator.images()).isZero();
    }

    private WindowAccumulator accumulate(List<float[]> latents, int firstIndex) {
        WindowAccumulator accumulator = new WindowAccumulator(profile);
        for (int i = 0; i < latents.size(); i++) {
            accumulator.add("image-" + (firstIndex + i), "synthetic", firstIndex + i, latents.get(i),
                    profile.novelty(latents.get(i)));
        }
        return accumulator;
    }
}
