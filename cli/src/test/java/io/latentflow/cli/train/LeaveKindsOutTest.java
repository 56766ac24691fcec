package io.latentflow.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.ImageExposure;
import io.latentflow.model.drift.ReferenceExposure;
import io.latentflow.model.drift.ReferenceProfile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Kinds of synthetic latents (4 channels of 8x8) against a reference of textured latents: photos that look like the
 * reference, photos a little off, flat-filled "illustrations", and darkened photos whose channels all shift.
 */
class LeaveKindsOutTest {

    private static final int SIDE = 8;
    private static final int CHANNELS = 4;
    private static final double STD = 0.25;
    /** The largest share of repeated pixels of a synthetic crop. */
    private static final double MOST_REPEATS = 0.05;

    @Test
    void photosLikeTheReferenceStayQuietWhileFlatContentAndDarkenedPhotosAlertInBothShapes() {
        List<KindCrops.Crop> crops = new ArrayList<>();
        crops.addAll(kind("photo", "like-reference", 3, 0, false, 11));
        crops.addAll(kind("photo", "like-reference", 3, -2.5 * STD, true, 12));
        crops.addAll(kind("illustration", "flat", 3, 0, false, 13));

        Map<String, Object> report = run(crops);

        Map<String, Object> photo = row(report, "asShipped", "photo/like-reference");
        assertThat(rate(photo, "photoWindowsAlerted", "oneSource")).isZero();
        assertThat(rate(photo, "photoWindowsAlerted", "mixed")).isZero();
        assertThat(rate(photo, "darkenedAlerted", "oneSource")).isEqualTo(1.0);
        assertThat(rate(photo, "darkenedAlerted", "mixed")).isEqualTo(1.0);
        assertThat(photo.get("fired")).asString().contains("MEAN_SHIFT");
        Map<String, Object> flat = row(report, "asShipped", "illustration/flat");
        assertThat(rate(flat, "newContentAlerted", "oneSource")).isEqualTo(1.0);
        assertThat(rate(flat, "newContentAlerted", "mixed")).isEqualTo(1.0);
        assertThat(flat).doesNotContainKey("photoWindowsAlerted");
    }

    @Test
    void aHeldOutPhotoKindIsJudgedAtALevelReadFromTheOtherKindsOnly() {
        List<KindCrops.Crop> crops = new ArrayList<>();
        crops.addAll(kind("photo", "like-reference", 2, 0, false, 21));
        // more windows than the other photo kind: a level that read them would sit above their scores
        crops.addAll(kind("photo", "a-little-off", 6, 0.6 * STD, false, 22));

        Map<String, Object> report = run(crops);

        Map<String, Object> off = row(report, "levelFromOtherKinds", "photo/a-little-off");
        Map<String, Object> like = row(report, "levelFromOtherKinds", "photo/like-reference");
        assertThat((double) off.get("level")).isLessThan((double) like.get("level"));
        assertThat(rate(off, "photoWindowsAlerted", "oneSource")).isEqualTo(1.0);
        assertThat(rate(off, "photoWindowsAlerted", "mixed")).isEqualTo(1.0);
        assertThat(rate(row(report, "asShipped", "photo/a-little-off"), "photoWindowsAlerted", "mixed"))
                .as("half a warning level of mean shift is no alarm as shipped").isZero();
    }

    @Test
    void darkenedPhotosWhoseLatentsBarelyMoveAreAlertedByTheirExposureWhenTheReferenceHasItsLevels() {
        List<KindCrops.Crop> crops = new ArrayList<>();
        crops.addAll(kind("photo", "like-reference", 3, 0, false, 31));
        crops.addAll(kind("photo", "like-reference", 3, 0, true, 32));

        Map<String, Object> withLevels = row(run(crops, true), "asShipped", "photo/like-reference");
        Map<String, Object> withoutLevels = row(run(crops, false), "asShipped", "photo/like-reference");

        assertThat(rate(withLevels, "darkenedAlerted", "oneSource")).isEqualTo(1.0);
        assertThat(rate(withLevels, "darkenedAlerted", "mixed")).isEqualTo(1.0);
        assertThat(rate(withLevels, "photoWindowsAlerted", "oneSource")).isZero();
        assertThat(rate(withLevels, "photoWindowsAlerted", "mixed")).isZero();
        assertThat(withLevels.get("fired")).asString().contains("EXPOSURE");
        assertThat(withLevels.get("photoWindowsHighestExposure")).asString().contains("mixed=0.0");
        assertThat(withLevels.get("photoWindowsHighestRepeatedPixels")).asString().contains("mixed=0.");
        assertThat(rate(withoutLevels, "darkenedAlerted", "mixed")).as("a profile without exposure levels").isZero();
    }

    private static Map<String, Object> run(List<KindCrops.Crop> crops) {
        return run(crops, false);
    }

    /** @param exposureLevels whether the reference profile has exposure levels: ordinary photos' */
    private static Map<String, Object> run(List<KindCrops.Crop> crops, boolean exposureLevels) {
        List<float[]> reference = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 256; i++) {
            reference.add(textured(random, 0));
            sources.add("reference-" + i / 32);
        }
        ReferenceProfile profile = ReferenceProfile.of("test-model", AutoencoderConfig.boundedF8C4(),
                Optional.empty(), 64, reference, sources, "textured");
        if (exposureLevels) {
            SplittableRandom pixels = new SplittableRandom(2);
            // its images repeat more pixels than any crop: the synthetic kinds differ in their latents and exposure
            profile = profile.withExposure(ReferenceExposure.of(reference.stream().map(latent -> exposure(pixels, false))
                    .map(levels -> new ImageExposure(levels.highlight(), levels.shadow(), 2 * MOST_REPEATS)).toList()));
        }
        StringWriter table = new StringWriter();
        Map<String, Object> report = new LeaveKindsOut(new DriftScorer(profile, DriftThresholds.DEFAULTS), 5, 3)
                .run(crops, new PrintWriter(table));
        assertThat(table.toString()).contains("held-out kind", "all held-out kinds");
        return report;
    }

    /** {@code images} sources of 64 crops each (two windows), textured or flat-filled, shifted by {@code shift}. */
    private static List<KindCrops.Crop> kind(String category, String kind, int images, double shift,
                                            boolean darkened, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SplittableRandom pixels = new SplittableRandom(seed + 1);
        List<KindCrops.Crop> crops = new ArrayList<>();
        for (int image = 0; image < images; image++) {
            for (int crop = 0; crop < 64; crop++) {
                float[] latent = category.equals("photo") ? textured(random, shift) : flat(random);
                crops.add(new KindCrops.Crop(category, kind, kind + "-" + image + ".jpg", darkened,
                        exposure(pixels, darkened), latent));
            }
        }
        return Collections.unmodifiableList(crops);
    }

    /**
     * An ordinary photo's highlights near white and shadows near black; a darkened one's at a quarter of those; a few
     * repeated pixels.
     */
    private static ImageExposure exposure(SplittableRandom random, boolean darkened) {
        double highlight = 0.75 + 0.25 * random.nextDouble();
        double shadow = 0.05 * random.nextDouble();
        double repeats = shadow / 0.05 * MOST_REPEATS; // from the shadow's draw: another draw would move the levels
        return darkened ? new ImageExposure(highlight / 4, shadow / 4, repeats)
                : new ImageExposure(highlight, shadow, repeats);
    }

    private static float[] textured(SplittableRandom random, double shift) {
        float[] latent = new float[CHANNELS * SIDE * SIDE];
        for (int i = 0; i < latent.length; i++) {
            latent[i] = (float) (shift + STD * random.nextGaussian());
        }
        return latent;
    }

    /** Two flat regions split by a sharp edge, each channel its own two levels. */
    private static float[] flat(SplittableRandom random) {
        float[] latent = new float[CHANNELS * SIDE * SIDE];
        int edge = 1 + random.nextInt(SIDE - 1);
        for (int c = 0; c < CHANNELS; c++) {
            double left = 2 * STD * random.nextGaussian();
            double right = 2 * STD * random.nextGaussian();
            for (int p = 0; p < SIDE * SIDE; p++) {
                latent[c * SIDE * SIDE + p] = (float) ((p % SIDE < edge ? left : right) + 0.001 * random.nextGaussian());
            }
        }
        return latent;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(Map<String, Object> report, String table, String kind) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) ((Map<String, Object>) report.get(table))
                .get("kinds");
        return rows.stream().filter(r -> r.get("kind").equals(kind)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static double rate(Map<String, Object> row, String column, String shape) {
        return (double) ((Map<String, Object>) ((Map<String, Object>) row.get(column)).get(shape)).get("rate");
    }
}
