package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EXPOSURE on real photos: the reference is the sample photos the shipped model's reference is made of
 * ({@code samples/photos}), the windows photos of other sources ({@code samples/unseen-photos}), as they are and as a
 * camera whose exposure broke would send them. At 128 px, not the job's 256, to keep the test quick: the levels are
 * quantiles of pixels, which a resize moves little.
 */
class BrokenExposureTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final int SIZE = 128;
    private static final int WINDOW = 32;
    private static final IntUnaryOperator QUARTER = v -> v / 4;
    private static final IntUnaryOperator WASHED_OUT = v -> 255 - (255 - v) / 4;

    private static ReferenceProfile profile;
    private static List<List<byte[]>> unseenSources;

    @BeforeAll
    static void readPhotos() {
        List<byte[]> reference = prepare(ImageFolders.files(SAMPLES.resolve("photos")));
        ReferenceProfile latentsOnly = Latents.standardProfile();
        profile = latentsOnly.withExposure(ReferenceExposure.of(reference.stream().map(ImageExposure::ofRgb)
                .toList()));
        List<Path> unseen = ImageFolders.files(SAMPLES.resolve("unseen-photos"));
        // one source per window, its first images: the hard case, a window of one scene
        unseenSources = unseen.stream().map(file -> file.getFileName().toString().replaceAll("_s.*", ""))
                .distinct().map(source -> prepare(unseen.stream()
                        .filter(file -> file.getFileName().toString().startsWith(source + "_"))
                        .limit(WINDOW).toList()))
                .toList();
    }

    @Test
    void windowsOfOrdinaryPhotosOfOtherSourcesStayQuiet() {
        DriftScorer scorer = new DriftScorer(profile, DriftThresholds.DEFAULTS);
        for (List<byte[]> source : unseenSources) {
            DriftAssessment assessment = scorer.assess(window(source));

            assertThat(assessment.findings()).extracting(DriftFinding::statistic)
                    .doesNotContain(DriftStatistic.EXPOSURE);
            assertThat(scorer.exposure().orElseThrow().judge(window(source).exposure()).orElseThrow().score())
                    .isLessThan(1);
        }
    }

    @Test
    void everySourceAtAQuarterOfItsBrightnessRaisesExposureNamingItsHighlights() {
        DriftScorer scorer = new DriftScorer(profile, DriftThresholds.DEFAULTS);
        for (List<byte[]> source : unseenSources) {
            DriftAssessment assessment = scorer.assess(window(changed(source, QUARTER)));

            assertThat(assessment.level()).isEqualTo(Severity.WARNING);
            DriftFinding finding = assessment.findings().get(0);
            assertThat(finding.statistic()).isEqualTo(DriftStatistic.EXPOSURE);
            assertThat(finding.threshold()).isEqualTo(profile.exposure().darkestHighlight());
            assertThat(finding.value()).isLessThan(finding.threshold()).isLessThanOrEqualTo(0.25);
            assertThat(finding.describe()).startsWith("median highlight EXPOSURE");
        }
    }

    @Test
    void washedOutWindowsRaiseItOnTheirShadows() {
        DriftAssessment assessment = new DriftScorer(profile, DriftThresholds.DEFAULTS)
                .assess(window(changed(unseenSources.get(0), WASHED_OUT)));

        DriftFinding finding = assessment.findings().get(0);
        assertThat(finding.statistic()).isEqualTo(DriftStatistic.EXPOSURE);
        assertThat(finding.threshold()).isEqualTo(profile.exposure().brightestShadow());
        assertThat(finding.value()).isGreaterThan(finding.threshold());
        assertThat(finding.describe()).startsWith("median shadow EXPOSURE");
    }

    @Test
    void aWindowOfFourImagesGivesNoVerdictHoweverDark() {
        List<byte[]> four = changed(unseenSources.get(0).subList(0, BrokenExposure.MIN_IMAGES - 1), QUARTER);
        List<byte[]> five = changed(unseenSources.get(0).subList(0, BrokenExposure.MIN_IMAGES), QUARTER);
        BrokenExposure rule = new BrokenExposure(profile.exposure());

        assertThat(rule.judge(window(four).exposure())).isEmpty();
        assertThat(rule.judge(window(five).exposure()).orElseThrow().score()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aDarkMinorityOfAWindowIsOrdinary() {
        List<byte[]> source = unseenSources.get(0);
        int dark = (int) (BrokenExposure.CLEAR_MAJORITY * WINDOW) - 2;
        List<byte[]> mixed = new java.util.ArrayList<>(changed(source.subList(0, dark), QUARTER));
        mixed.addAll(source.subList(dark, WINDOW));

        assertThat(new DriftScorer(profile, DriftThresholds.DEFAULTS).assess(window(mixed)).findings())
                .extracting(DriftFinding::statistic).doesNotContain(DriftStatistic.EXPOSURE);
    }

    @Test
    void aProfileWithoutExposureLevelsGivesNoVerdictAndJudgesTheRestAsBefore() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode written = (ObjectNode) json.readTree(profile.toJson());
        written.remove("exposure");
        ReferenceProfile older = ReferenceProfile.fromJson(json.writeValueAsString(written));
        WindowStatistics dark = window(changed(unseenSources.get(0), QUARTER));

        DriftScorer scorer = new DriftScorer(older, DriftThresholds.DEFAULTS);
        DriftAssessment assessment = scorer.assess(dark);

        assertThat(older.exposure()).isNull();
        assertThat(scorer.exposure()).isEmpty();
        assertThat(assessment.findings()).extracting(DriftFinding::statistic).doesNotContain(DriftStatistic.EXPOSURE);
        assertThat(assessment.score()).isEqualTo(new DriftScorer(Latents.standardProfile(), DriftThresholds.DEFAULTS)
                .assess(dark).score());
        assertThat(ReferenceProfile.fromJson(profile.toJson()).exposure()).isEqualTo(profile.exposure());
    }

    @Test
    void theLevelsOfTheBytesAndOfTheModelInputMadeFromThemAgree() {
        List<byte[]> images = unseenSources.get(1).subList(0, 3);
        float[] nchw = ModelInputBatch.toNchw(images, SIZE);

        for (int i = 0; i < images.size(); i++) {
            assertThat(ImageExposure.ofModelInput(nchw, i, SIZE, SIZE)).isEqualTo(ImageExposure.ofRgb(images.get(i)));
        }
    }

    @Test
    void exposureLevelsSurviveTheWindowStateAndItsMerge() {
        List<byte[]> dark = changed(unseenSources.get(0).subList(0, 6), QUARTER);
        WindowAccumulator a = accumulator(dark.subList(0, 3));
        WindowAccumulator b = accumulator(dark.subList(3, 6));

        a.merge(WindowAccumulator.fromBytes(b.toBytes()));

        WindowExposure merged = WindowAccumulator.fromBytes(a.toBytes()).result().exposure();
        assertThat(merged.images()).isEqualTo(6);
        assertThat(merged.medianHighlight()).isEqualTo(window(dark).exposure().medianHighlight());
        assertThat(merged.fractionHighlightsBelow(profile.exposure().darkestHighlight())).isEqualTo(1.0);
    }

    /** A window of these images: standard latents (which the reference profile finds ordinary), their pixels' levels. */
    private static WindowStatistics window(List<byte[]> images) {
        return accumulator(images).result();
    }

    private static WindowAccumulator accumulator(List<byte[]> images) {
        return PixelWindows.of(profile, images);
    }

    private static List<byte[]> changed(List<byte[]> images, IntUnaryOperator change) {
        return images.stream().map(rgb -> {
            byte[] out = new byte[rgb.length];
            for (int i = 0; i < rgb.length; i++) {
                out[i] = (byte) change.applyAsInt(rgb[i] & 0xFF);
            }
            return out;
        }).toList();
    }

    private static List<byte[]> prepare(List<Path> files) {
        return ImageFolders.prepare(files, new ImageDecoder(), new ModelInputResizer(SIZE, 8), (file, reason) -> {
            throw new IllegalStateException(file + ": " + reason);
        });
    }
}
