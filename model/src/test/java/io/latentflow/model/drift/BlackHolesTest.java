package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latentflow.model.AutoencoderConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BlackHolesTest {

    @Test
    void countsThePositionsBeyondSixReferenceStdInSomeChannelEachOnce() {
        // 2 channels x 16 positions; channel 0 has mean 0 and std 1, channel 1 mean 5 and std 0.5
        int positions = 16;
        float[] latent = new float[2 * positions];
        Arrays.fill(latent, 0, positions, 0.3f);
        Arrays.fill(latent, positions, 2 * positions, 5.2f);
        latent[3] = 6.5f;                          // position 3: z 6.5 in channel 0
        latent[positions + 3] = 5f - 0.5f * 7;     // ... and z -7 in channel 1: the same hole
        latent[7] = -6.0f;                         // z 6 exactly: not beyond
        latent[positions + 1] = 5f + 0.5f * 9;     // position 1: z 9 in channel 1
        latent[positions + 12] = 0f;               // position 12: z -10 in channel 1
        BlackHoles blackHoles = new BlackHoles(new double[]{0, 5}, new double[]{1, 0.5});
        long[] perChannel = new long[2];

        assertThat(blackHoles.positionsIn(latent, 0, positions, perChannel)).isEqualTo(3);
        assertThat(perChannel).containsExactly(1, 3);
        assertThat(blackHoles.worstZ(latent, 0, positions)).isCloseTo(10, within(1e-6));
    }

    @Test
    void readsOneImageOfABatchAndIgnoresChannelsWithoutSpread() {
        float[] batch = {0, 0, 0, 0, 1, 1, 1, 1, /* image 1: */ 1, 1, 1, 1, 0, 0, 0, 100};
        BlackHoles blackHoles = new BlackHoles(new double[]{1, 0}, new double[]{0, 1});

        assertThat(blackHoles.positionsIn(batch, 0, 4, null)).isZero();
        assertThat(blackHoles.positionsIn(batch, 8, 4, null)).isEqualTo(1);
        assertThat(blackHoles.worstZ(batch, 8, 4)).isEqualTo(100.0);
    }

    @Test
    void theLevelIsReadFromTheReferenceAMoreHoledReferenceGivingAHigherOne() {
        List<float[]> clean = Latents.standard(200, 1);
        List<float[]> holed = Latents.standard(200, 1);
        for (int i = 0; i < 32; i++) {
            holed.get(i)[i] = 3f; // one hole in each of 32 consecutive images: a window of one hole per image
        }
        ReferenceProfile cleanReference = profile(clean);
        ReferenceProfile holedReference = profile(holed);
        DriftThresholds thresholds = DriftThresholds.DEFAULTS;

        assertThat(cleanReference.blackHolesHighestWindow()).isZero();
        assertThat(holedReference.blackHolesPerImage()).isCloseTo(32 / 200.0, within(1e-12));
        assertThat(holedReference.blackHolesHighestWindow()).isEqualTo(1.0);
        assertThat(new DriftScorer(cleanReference, thresholds).blackHoleLevel()).isEqualTo(0.25);
        assertThat(new DriftScorer(holedReference, thresholds).blackHoleLevel()).isEqualTo(1.25);
    }

    @Test
    void aWindowAsHoledAsTheReferencesWorstRaisesNothingAndOneHoleMorePerImageDoes() {
        List<float[]> holed = Latents.standard(200, 1);
        for (int i = 0; i < 32; i++) {
            holed.get(i)[i] = 3f;
        }
        ReferenceProfile reference = profile(holed);
        DriftScorer scorer = new DriftScorer(reference, DriftThresholds.DEFAULTS);
        List<float[]> asTheReference = Latents.standard(32, 7);
        List<float[]> twice = Latents.standard(32, 7);
        for (int i = 0; i < 32; i++) {
            asTheReference.get(i)[i] = 3f;
            twice.get(i)[i] = 3f;
            twice.get(i)[40 + i % 8] = -3f;
        }

        assertThat(scorer.assess(Latents.window(reference, asTheReference)).findings())
                .noneMatch(f -> f.statistic() == DriftStatistic.BLACK_HOLES);
        assertThat(scorer.assess(Latents.window(reference, twice)).findings())
                .anyMatch(f -> f.statistic() == DriftStatistic.BLACK_HOLES && f.value() == 2.0);
    }

    @Test
    void aProfileWrittenBeforeTheWindowRateReadsItsMeanRateAsTheWorstWindow() {
        String json = Latents.standardProfile().toJson()
                .replaceAll("\"blackHolesPerImage\" : [0-9.Ee-]+", "\"blackHolesPerImage\" : 0.5")
                .replaceAll("\\s*\"blackHolesHighestWindow\" : [0-9.Ee-]+,", "");

        assertThat(json).doesNotContain("blackHolesHighestWindow");
        assertThat(ReferenceProfile.fromJson(json).blackHolesHighestWindow()).isEqualTo(0.5);
    }

    private static ReferenceProfile profile(List<float[]> latents) {
        return ReferenceProfile.of("test-model", AutoencoderConfig.boundedF8C4(), Optional.empty(), 64, latents,
                "synthetic");
    }
}
