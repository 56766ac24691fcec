package io.latentflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ranking at equal compute is settled when no pair the data can order swaps between the last two evaluations; a
 * pair tied within its noise (the interval over images holds 0, or a seed ranks it the other way) is reported, not
 * counted.
 */
class EqualComputeComparisonTest {

    private static final int IMAGES = 20;

    @Test
    void twoArmsTiedWithinTheirNoiseThatSwapDoNotUnsettleTheRanking() {
        // B is A plus or minus 0.5 dB image by image: +0.05 on average before the end, -0.05 at it
        List<AblationRow> rows = new ArrayList<>();
        for (long seed = 1; seed <= 2; seed++) {
            rows.add(row("baseline", seed, offsets(30, 0), offsets(30, 0)));
            rows.add(row("a", seed, offsets(25, 0), offsets(26, 0)));
            rows.add(row("b", seed, offsets(25, 0.05), offsets(26, -0.05)));
        }

        EqualComputeComparison comparison = new EqualComputeComparison(rows);

        assertThat(comparison.rankingAt(0)).containsExactly("baseline", "b", "a");
        assertThat(comparison.rankingAt(1)).containsExactly("baseline", "a", "b");
        assertThat(comparison.rankingChangedAtEnd()).isFalse();
        assertThat(comparison.unresolvedSwapsAtEnd()).singleElement().satisfies(swap -> {
            assertThat(swap.first().name()).isEqualTo("b");
            assertThat(swap.difference().mean()).isCloseTo(-0.05, within(1e-9));
        });
    }

    @Test
    void aSwapEverySeedAndImageAgreesOnUnsettlesIt() {
        List<AblationRow> rows = new ArrayList<>();
        for (long seed = 1; seed <= 2; seed++) {
            rows.add(row("baseline", seed, offsets(30, 0), offsets(30, 0)));
            rows.add(row("a", seed, offsets(26, 0), offsets(25, 0)));
            rows.add(row("b", seed, offsets(25, 0), offsets(26, 0)));
        }

        EqualComputeComparison comparison = new EqualComputeComparison(rows);

        assertThat(comparison.rankingChangedAtEnd()).isTrue();
        assertThat(comparison.unresolvedSwapsAtEnd()).isEmpty();
    }

    @Test
    void aPairOneSeedRanksTheOtherWayIsNotOrderedEvenWithANarrowInterval() {
        List<AblationRow> rows = new ArrayList<>();
        rows.add(row("baseline", 1, offsets(30, 0), offsets(30, 0)));
        rows.add(row("baseline", 2, offsets(30, 0), offsets(30, 0)));
        rows.add(row("a", 1, offsets(25, 0), offsets(25, 0)));
        rows.add(row("a", 2, offsets(25, 0), offsets(25, 0)));
        rows.add(row("b", 1, offsets(25.6, 0), offsets(25.6, 0)));
        rows.add(row("b", 2, offsets(24.8, 0), offsets(24.8, 0))); // seed mean +0.2 on every image

        EqualComputeComparison comparison = new EqualComputeComparison(rows);
        EqualComputeComparison.Arm a = comparison.arms().get(1);
        EqualComputeComparison.Arm b = comparison.arms().get(2);

        assertThat(comparison.ordered(a, b, 1)).isFalse();
        assertThat(comparison.ordered(comparison.arms().get(0), a, 1)).isTrue();
    }

    /** Per image: {@code level} plus an alternating +-0.5 dB, shifted by {@code shift}. */
    private static double[] offsets(double level, double shift) {
        double[] values = new double[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            values[i] = level + shift + (i % 2 == 0 ? 0.5 : -0.5) * (shift == 0 ? 0 : 1);
        }
        return values;
    }

    private static AblationRow row(String name, long seed, double[] before, double[] end) {
        List<CurvePoint> curve = List.of(point(0.875, before), point(1.0, end));
        return new AblationRow(name, name, null, List.of(), 100, 64, 16, seed, 100, 1.0, 0.4, "", null, 1.0,
                "thread-cpu", curve);
    }

    private static CurvePoint point(double fraction, double[] psnr) {
        double mean = Arrays.stream(psnr).average().orElseThrow();
        return new CurvePoint(fraction, 0, 0, mean, 0.7, null, Map.of(), psnr, new double[psnr.length]);
    }
}
