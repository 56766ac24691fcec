package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputResizer;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * REPEATED_PIXELS at the job's 256 px, against the shipped default model's reference profile (its level read from the
 * 512 training tiles it was made of): windows of photos of other sources ({@code samples/unseen-photos}, one source a
 * window) stay quiet, a window of line art ({@code eval/drift-kinds/illustration/line-art}, a kind the texture
 * statistics place among the photos) warns, and the same line art with a camera's noise on it does not: the statistic
 * is the exact repeats, not the content.
 */
class RepeatedPixelsTest {

    private static final Path HOME = Path.of(System.getProperty("latentflow.home"));
    private static final int SIZE = 256;
    private static final int WINDOW = 32;
    private static final int TILE_STRIDE = 128;

    private static ReferenceProfile profile;
    private static List<List<byte[]>> unseenSources;
    private static List<byte[]> lineArt;

    @BeforeAll
    static void readImages() throws Exception {
        try (InputStream json = RepeatedPixelsTest.class.getResourceAsStream(
                "/io/latentflow/model/default/" + ReferenceProfile.FILE_NAME)) {
            ReferenceProfile shipped = ReferenceProfile.fromJson(new String(json.readAllBytes(),
                    StandardCharsets.UTF_8));
            // the shipped levels on standard latents, which the scorer finds ordinary: only the pixels move
            profile = Latents.standardProfile().withExposure(shipped.exposure());
        }
        List<Path> unseen = ImageFolders.files(HOME.resolve("samples/unseen-photos"));
        ModelInputResizer resizer = new ModelInputResizer(SIZE, 8);
        unseenSources = unseen.stream().map(file -> file.getFileName().toString().replaceAll("_s.*", ""))
                .distinct().map(source -> ImageFolders.prepare(unseen.stream()
                        .filter(file -> file.getFileName().toString().startsWith(source + "_"))
                        .limit(WINDOW).toList(), new ImageDecoder(), resizer, (file, reason) -> {
                            throw new IllegalStateException(file + ": " + reason);
                        }))
                .toList();
        lineArt = tiles(ImageFolders.files(HOME.resolve("eval/drift-kinds/illustration/line-art")), resizer);
    }

    @Test
    void theShippedReferenceHasALevelFromItsOwnPhotos() {
        RepeatedPixels rule = new DriftScorer(profile, DriftThresholds.DEFAULTS).repeatedPixels().orElseThrow();

        // its sky, snow and studio tiles repeat many pixels, so the level sits far above a typical photo's share
        assertThat(rule.level()).isBetween(0.3, 0.8);
        assertThat(profile.exposure().repeatedPixels()[3]).isLessThan(rule.level() / 2);
    }

    @Test
    void windowsOfOrdinaryPhotosOfOtherSourcesStayQuiet() {
        DriftScorer scorer = new DriftScorer(profile, DriftThresholds.DEFAULTS);
        for (List<byte[]> source : unseenSources) {
            WindowStatistics window = window(source);

            assertThat(scorer.assess(window).findings()).extracting(DriftFinding::statistic)
                    .doesNotContain(DriftStatistic.REPEATED_PIXELS);
            assertThat(scorer.repeatedPixels().orElseThrow().judge(window.exposure()).orElseThrow().score())
                    .isLessThan(1);
        }
    }

    @Test
    void aWindowOfLineArtRaisesAWarningNamingRepeatedPixels() {
        DriftAssessment assessment = new DriftScorer(profile, DriftThresholds.DEFAULTS).assess(window(lineArt));

        assertThat(assessment.level()).isEqualTo(Severity.WARNING);
        DriftFinding finding = assessment.findings().get(0);
        assertThat(finding.statistic()).isEqualTo(DriftStatistic.REPEATED_PIXELS);
        assertThat(finding.value()).isGreaterThan(finding.threshold());
        assertThat(finding.threshold()).isEqualTo(profile.exposure().repeatedPixelsHighestWindow());
        assertThat(finding.describe()).startsWith("median share REPEATED_PIXELS");
    }

    @Test
    void theSameLineArtWithACamerasNoiseOnItIsQuiet() {
        SplittableRandom random = new SplittableRandom(3);
        List<byte[]> noisy = lineArt.stream().map(rgb -> {
            byte[] out = new byte[rgb.length];
            for (int i = 0; i < rgb.length; i++) {
                out[i] = (byte) Math.max(0, Math.min(255, (rgb[i] & 0xFF) + random.nextInt(-2, 3)));
            }
            return out;
        }).toList();

        assertThat(new DriftScorer(profile, DriftThresholds.DEFAULTS).repeatedPixels().orElseThrow()
                .judge(window(noisy).exposure()).orElseThrow().score()).isLessThan(0.5);
    }

    @Test
    void lineArtAtAQuarterOfItsBrightnessIsNamedExposureOnly() {
        // fewer levels repeat more pixels: the darkened drawing passes the level by more, yet the cause is EXPOSURE
        List<byte[]> dark = lineArt.stream().map(rgb -> {
            byte[] out = new byte[rgb.length];
            for (int i = 0; i < rgb.length; i++) {
                out[i] = (byte) ((rgb[i] & 0xFF) / 4);
            }
            return out;
        }).toList();
        DriftScorer scorer = new DriftScorer(profile, DriftThresholds.DEFAULTS);

        assertThat(scorer.repeatedPixels().orElseThrow().judge(window(dark).exposure()).orElseThrow().score())
                .isGreaterThan(1);
        assertThat(scorer.assess(window(dark)).findings()).extracting(DriftFinding::statistic)
                .contains(DriftStatistic.EXPOSURE).doesNotContain(DriftStatistic.REPEATED_PIXELS);
    }

    @Test
    void aWindowOfFourImagesGivesNoVerdict() {
        RepeatedPixels rule = RepeatedPixels.of(profile.exposure()).orElseThrow();

        assertThat(rule.judge(window(lineArt.subList(0, BrokenExposure.MIN_IMAGES - 1)).exposure())).isEmpty();
        assertThat(rule.judge(window(lineArt.subList(0, BrokenExposure.MIN_IMAGES)).exposure())).isPresent();
    }

    @Test
    void aProfileWithoutRepeatedPixelSharesGivesNoVerdictButKeepsExposure() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode written = (ObjectNode) json.readTree(profile.toJson());
        ObjectNode exposure = (ObjectNode) written.get("exposure");
        exposure.remove("repeatedPixels");
        exposure.remove("repeatedPixelsHighestWindow");
        ReferenceProfile older = ReferenceProfile.fromJson(json.writeValueAsString(written));

        DriftScorer scorer = new DriftScorer(older, DriftThresholds.DEFAULTS);

        assertThat(scorer.repeatedPixels()).isEmpty();
        assertThat(scorer.exposure()).isPresent();
        assertThat(scorer.assess(window(lineArt)).findings()).extracting(DriftFinding::statistic)
                .doesNotContain(DriftStatistic.REPEATED_PIXELS);
        assertThat(ReferenceProfile.fromJson(profile.toJson()).exposure()).isEqualTo(profile.exposure());
    }

    @Test
    void sharesSurviveTheWindowStateItsMergeAndTheRecordsHistogram() {
        WindowAccumulator a = accumulator(lineArt.subList(0, 10));
        WindowAccumulator b = accumulator(lineArt.subList(10, 20));

        a.merge(WindowAccumulator.fromBytes(b.toBytes()));

        WindowExposure merged = WindowAccumulator.fromBytes(a.toBytes()).result().exposure();
        WindowExposure whole = window(lineArt.subList(0, 20)).exposure();
        assertThat(merged.imagesWithRepeatedPixels()).isEqualTo(20);
        assertThat(merged.medianRepeatedPixels()).isEqualTo(whole.medianRepeatedPixels());
        WindowExposure read = WindowExposure.of(merged.highlightHistogram(), merged.shadowHistogram(),
                merged.repeatedPixelsHistogram());
        assertThat(read.medianRepeatedPixels()).isEqualTo(whole.medianRepeatedPixels());
        WindowExposure older = WindowExposure.of(merged.highlightHistogram(), merged.shadowHistogram(), new long[0]);
        assertThat(older.imagesWithRepeatedPixels()).isZero();
        assertThat(older.images()).isEqualTo(20);
    }

    /** 256 px tiles of each image, {@value #TILE_STRIDE} px apart: what a crawl of the drawings' parts would send. */
    private static List<byte[]> tiles(List<Path> files, ModelInputResizer resizer) throws Exception {
        List<byte[]> tiles = new ArrayList<>();
        for (Path file : files) {
            BufferedImage image = new ImageDecoder().decode(Files.readAllBytes(file));
            for (int y = 0; y + SIZE <= image.getHeight(); y += TILE_STRIDE) {
                for (int x = 0; x + SIZE <= image.getWidth(); x += TILE_STRIDE) {
                    BufferedImage tile = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
                    tile.getRaster().setDataElements(0, 0, SIZE, SIZE,
                            image.getRaster().getDataElements(x, y, SIZE, SIZE, null));
                    tiles.add(resizer.resize(tile));
                }
            }
        }
        return tiles;
    }

    private static WindowStatistics window(List<byte[]> images) {
        return accumulator(images).result();
    }

    private static WindowAccumulator accumulator(List<byte[]> images) {
        return PixelWindows.of(profile, images);
    }
}
