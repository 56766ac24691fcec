package io.latentflow.model.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DctSpectrumTest {

    private static final int SIDE = 16;

    @Test
    void aCosineAtThreeQuartersOfNyquistPutsAllItsEnergyInTheUpperHalf() {
        DctSpectrum spectrum = new DctSpectrum(SIDE, SIDE);
        double[] profile = profileOf(spectrum, cosineAlongRows(12));

        assertThat(spectrum.highFrequencyFraction(DctSpectrum.normalised(profile))).isCloseTo(1, within(1e-9));
        // u = 12 of 16: radius 0.75, the 13th of 16 bins of width 1/16
        assertThat(spectrum.bins()).isEqualTo(8);
        assertThat(DctSpectrum.normalised(profile)[6]).isCloseTo(1, within(1e-9));
    }

    @Test
    void aCosineAtAnEighthOfNyquistHasNoEnergyInTheUpperHalf() {
        DctSpectrum spectrum = new DctSpectrum(SIDE, SIDE);

        double[] profile = DctSpectrum.normalised(profileOf(spectrum, cosineAlongRows(2)));

        assertThat(spectrum.highFrequencyFraction(profile)).isCloseTo(0, within(1e-9));
        assertThat(profile[1]).isCloseTo(1, within(1e-9));
    }

    @Test
    void aConstantPlaneHasNoSpectrumAtAll() {
        DctSpectrum spectrum = new DctSpectrum(SIDE, SIDE);
        float[] constant = new float[SIDE * SIDE];
        java.util.Arrays.fill(constant, 0.7f);

        double[] profile = DctSpectrum.normalised(profileOf(spectrum, constant));

        assertThat(profile).containsOnly(0.0);
        assertThat(spectrum.highFrequencyFraction(profile)).isZero();
    }

    @Test
    void matchesScipysOrthonormalDctOnARandomNonSquarePlane() throws IOException {
        JsonNode reference;
        try (InputStream in = getClass().getResourceAsStream("/spectrum/dct-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
        int height = reference.get("height").asInt();
        int width = reference.get("width").asInt();
        float[] plane = new float[height * width];
        for (int i = 0; i < plane.length; i++) {
            plane[i] = (float) reference.get("plane").get(i).asDouble();
        }
        DctSpectrum spectrum = new DctSpectrum(height, width);

        double[] profile = profileOf(spectrum, plane);

        assertThat(profile).hasSize(reference.get("profile").size());
        for (int b = 0; b < profile.length; b++) {
            assertThat(profile[b]).as("bin %d", b).isCloseTo(reference.get("profile").get(b).asDouble(),
                    within(1e-5));
        }
        assertThat(spectrum.highFrequencyFraction(DctSpectrum.normalised(profile)))
                .isCloseTo(reference.get("highFrequencyFraction").asDouble(), within(1e-6));
    }

    @Test
    void planesTooSmallForTwoHalvesAreRefused() {
        assertThatThrownBy(() -> new DctSpectrum(2, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 4x4");
    }

    @Test
    void areaDownsamplingAveragesEachBlockAndDropsTheRemainder() {
        float[] plane = {
                1, 3, 5, 7, 100,
                1, 3, 5, 7, 100,
                9, 9, 0, 0, 100,
                9, 9, 0, 4, 100,
                100, 100, 100, 100, 100};

        assertThat(AreaDownsampling.of(plane, 1, 5, 5, 2)).containsExactly(2f, 6f, 9f, 1f);
        assertThat(AreaDownsampling.of(plane, 1, 5, 5, 4)).containsExactly(4.5f);
    }

    private static double[] profileOf(DctSpectrum spectrum, float[] plane) {
        double[] profile = new double[spectrum.bins()];
        spectrum.addPlane(plane, 0, profile);
        return profile;
    }

    /** A DCT-II basis function along x: all its energy at horizontal frequency index {@code k}. */
    private static float[] cosineAlongRows(int k) {
        float[] plane = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                plane[y * SIDE + x] = (float) Math.cos(Math.PI * (2 * x + 1) * k / (2.0 * SIDE));
            }
        }
        return plane;
    }
}
