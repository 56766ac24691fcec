package io.latentflow.model.eval;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.WindowAccumulator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EvaluatorTest {

    private static final int SIDE = 64;
    private static List<ImageBatch> photos;

    @BeforeAll
    static void readPhotos() {
        photos = SamplePhotos.batches(6, SIDE, 4);
    }

    @Test
    void reconstructionOnlyDecodesNoDownsampledLatentsAndAddsNoNoise() {
        EvaluationReport full;
        EvaluationReport quick;
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 3, "bounded-test")) {
            full = Evaluator.evaluate(model, photos, EvaluationOptions.defaults());
            quick = Evaluator.evaluate(model, photos, EvaluationOptions.reconstructionOnly());
        }
        assertThat(quick.scaleEquivariance()).isEmpty();
        assertThat(quick.robustnessPsnr()).isEmpty();
        assertThat(quick.psnr()).isEqualTo(full.psnr());
    }

    @Test
    void untrainedBoundedModelGivesFiniteFiguresAndNoLatentOutsideTheUnitRange() {
        EvaluationReport report;
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 3, "bounded-test")) {
            report = Evaluator.evaluate(model, photos, EvaluationOptions.defaults());
        }
        assertThat(report.images()).isEqualTo(6);
        assertThat(report.modelVersion()).isEqualTo("bounded-test");
        assertThat(report.model()).isEqualTo("bounded-f8c8");
        assertThat(report.imageHeight()).isEqualTo(SIDE);
        assertThat(report.latentChannels()).isEqualTo(8);
        assertThat(report.latentHeight()).isEqualTo(SIDE / 8);
        assertThat(report.psnr()).isFinite().isPositive().isLessThan(100);
        assertThat(report.ssim()).isFinite().isBetween(-1.0, 1.0);
        assertThat(report.channelMean()).hasSize(8).allSatisfy(v -> assertThat(v).isBetween(-1.0, 1.0));
        assertThat(report.channelStd()).hasSize(8).allSatisfy(v -> assertThat(v).isFinite().isPositive());
        assertThat(report.channelMin()).allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(-1.0));
        assertThat(report.channelMax()).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(1.0));
        assertThat(report.fractionOutsideUnit()).isZero();
        assertThat(report.scaleFactor()).isCloseTo(1 / report.latentStd(), within(1e-12));
        assertThat(report.worstZ()).isFinite().isPositive();
        assertThat(report.robustnessPsnr()).containsOnlyKeys("0.05", "0.1", "0.2");
        assertThat(report.robustnessPsnr().values()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
        assertThat(report.scaleEquivariance()).containsOnlyKeys("2", "4");
        assertThat(report.scaleEquivariance().values()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
        LatentSpectrum spectrum = report.spectrum();
        assertThat(spectrum.frequencies()).hasSize(4);
        assertThat(spectrum.channelHighFrequency()).hasSize(8)
                .allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
        assertThat(spectrum.latentProfile().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1, within(1e-9));
        // photos shrunk to the latent's size still put most of their energy in the lower frequencies
        assertThat(spectrum.imageHighFrequency()).isBetween(0.0, 0.5);
    }

    @Test
    void aReportWrittenBeforeTheSpectrumReadsWithoutOne() {
        String old = "{\"modelVersion\":\"v\",\"model\":\"bounded-f8c8\",\"images\":1,\"psnr\":30,"
                + "\"channelMean\":[],\"channelStd\":[],\"channelMin\":[],\"channelMax\":[],"
                + "\"robustnessPsnr\":{}}";

        EvaluationReport report = EvaluationReport.fromJson(old);

        assertThat(report.spectrum()).isNull();
        assertThat(report.scaleEquivariance()).isEmpty();
    }

    @Test
    void untrainedKlModelStatisticsAreComputedAndMatchADirectComputation() {
        AutoencoderConfig config = AutoencoderConfig.klVaeF8C4();
        EvaluationReport report;
        List<float[]> latents = new ArrayList<>();
        try (ServingModel model = ServingModel.untrained(config, 5, "kl-test")) {
            report = Evaluator.evaluate(model, photos, EvaluationOptions.defaults());
            try (LatentEncoder encoder = model.newEncoder()) {
                for (ImageBatch batch : photos) {
                    latents.add(encoder.encode(batch.pixels(), batch.count(), SIDE, SIDE));
                }
            }
        }
        int positions = (SIDE / 8) * (SIDE / 8);
        float[][] batches = latents.toArray(new float[0][]);
        for (int c = 0; c < 4; c++) {
            double[] direct = LatentStatisticsTest.DirectStatistics.ofChannel(c, 4, positions, batches);
            assertThat(report.channelMean().get(c)).isCloseTo(direct[0], within(1e-9));
            assertThat(report.channelStd().get(c)).isCloseTo(direct[1], within(1e-9));
            assertThat(report.channelMin().get(c)).isEqualTo(direct[2]);
            assertThat(report.channelMax().get(c)).isEqualTo(direct[3]);
        }
        long outside = 0;
        long values = 0;
        for (float[] batch : batches) {
            for (float v : batch) {
                outside += Math.abs(v) > 1 ? 1 : 0;
                values++;
            }
        }
        assertThat(report.fractionOutsideUnit()).isCloseTo((double) outside / values, within(1e-12));
        assertThat(report.channelStd()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
        assertThat(report.scaleFactor()).isFinite().isPositive();
        assertThat(report.psnr()).isFinite();
    }

    @Test
    void evalAndTheDriftMonitorCountTheSameBlackHolesOnTheSameImages() {
        AutoencoderConfig config = AutoencoderConfig.klVaeF8C4();
        int perImage = config.latentChannels() * (SIDE / 8) * (SIDE / 8);
        List<float[]> latents = new ArrayList<>();
        try (ServingModel model = ServingModel.untrained(config, 5, "kl-test")) {
            try (LatentEncoder encoder = model.newEncoder()) {
                for (ImageBatch batch : photos) {
                    float[] encoded = encoder.encode(batch.pixels(), batch.count(), SIDE, SIDE);
                    for (int i = 0; i < batch.count(); i++) {
                        latents.add(Arrays.copyOfRange(encoded, i * perImage, (i + 1) * perImage));
                    }
                }
            }
            // a reference ten times narrower than these latents, so that some of their positions are black holes
            List<float[]> narrow = latents.stream().map(latent -> {
                float[] shrunk = latent.clone();
                for (int i = 0; i < shrunk.length; i++) {
                    shrunk[i] *= 0.1f;
                }
                return shrunk;
            }).toList();
            ReferenceProfile reference = ReferenceProfile.of("kl-test", config, Optional.empty(), SIDE, narrow,
                    "the photos' latents, shrunk");

            EvaluationReport report = Evaluator.evaluate(model, photos,
                    EvaluationOptions.defaults().withBlackHoleReference(reference));
            WindowAccumulator window = new WindowAccumulator(reference);
            for (int i = 0; i < latents.size(); i++) {
                window.add("photo-" + i, "samples", i, latents.get(i), reference.novelty(latents.get(i)));
            }

            assertThat(report.blackHolePositions()).isPositive().isEqualTo(window.result().blackHoles());
        }
    }

    @Test
    void noiseOfSigmaZeroReproducesThePlainReconstructionPsnr() {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C4(), 8, "zero-noise")) {
            EvaluationReport report = Evaluator.evaluate(model, photos,
                    EvaluationOptions.defaults().withNoiseSigmas(List.of(0.0, 0.5)));
            // the plain PSNR is summed in float32 on the engine, the noise sweep's in float64: they agree to rounding
            assertThat(report.robustnessPsnr(0.0)).isCloseTo(report.psnr(), within(1e-6));
            assertThat(report.robustnessPsnr(0.5)).isNotCloseTo(report.psnr(), within(1e-6));
        }
    }

    @Test
    void denoisedNoiseIsShrunkTowardsTheChannelMeansBeforeDecoding() {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C4(), 8, "denoised")) {
            EvaluationOptions options = EvaluationOptions.defaults().withNoiseSigmas(List.of(0.0, 3.0));
            EvaluationReport raw = Evaluator.evaluate(model, photos, options);
            EvaluationReport denoised = Evaluator.evaluate(model, photos, options.withDenoised(true));

            assertThat(denoised.robustnessPsnr(0.0)).as("no noise: nothing to shrink").isCloseTo(raw.psnr(),
                    within(1e-6));
            // at 3 std the linear denoiser keeps a tenth of the deviation from the mean: another decoder input
            assertThat(denoised.robustnessPsnr(3.0)).isNotCloseTo(raw.robustnessPsnr(3.0), within(1e-3));
        }
    }

    @Test
    void theSameSeedGivesTheSameReportAndItSurvivesJson() {
        EvaluationReport first;
        EvaluationReport second;
        EvaluationReport otherSeed;
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 9, "repeat")) {
            first = Evaluator.evaluate(model, photos, EvaluationOptions.defaults());
            second = Evaluator.evaluate(model, photos, EvaluationOptions.defaults());
            otherSeed = Evaluator.evaluate(model, photos, EvaluationOptions.defaults().withSeed(1));
        }
        assertThat(second).isEqualTo(first);
        assertThat(otherSeed.robustnessPsnr()).isNotEqualTo(first.robustnessPsnr());
        assertThat(EvaluationReport.fromJson(first.toJson())).isEqualTo(first);
        assertThat(first.toJson()).contains("\"images\":6", "\"psnr\":", "\"ssim\":", "\"channelMean\":[",
                "\"channelStd\":[", "\"channelMin\":[", "\"channelMax\":[", "\"fractionOutsideUnit\":0.0",
                "\"scaleFactor\":", "\"blackHolePositions\":", "\"worstZ\":",
                "\"robustnessPsnr\":{\"0.05\":", "\"modelVersion\":\"repeat\"", "\"imageHeight\":64");
    }

    @Test
    void gridShowsOriginalReconstructionLatentChannelsAndTheSpectrumOfTheFirstImages(@TempDir Path dir) throws Exception {
        ComparisonGrid grid = new ComparisonGrid(3);
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 3, "grid")) {
            Evaluator.evaluate(model, photos, EvaluationOptions.defaults().withNoiseSigmas(List.of()), grid);
        }
        assertThat(grid.size()).isEqualTo(3);
        Path file = dir.resolve("grid.png");
        grid.writePng(file);
        BufferedImage png = ImageIO.read(file.toFile());
        // 8 channels of 8x8 latents: 2 rows x 4 columns of tiles enlarged 3x (2 * 24 + 1 <= 64), 1 px apart.
        int latentPanelWidth = 4 * 24 + 3;
        int gap = 4;
        assertThat(gap + SIDE + gap + SIDE + gap + latentPanelWidth + gap).isLessThan(gap + 420 + gap);
        assertThat(png.getWidth()).isEqualTo(gap + 420 + gap);
        int rowsHeight = gap + 3 * (SIDE + gap);
        assertThat(png.getHeight()).isEqualTo(rowsHeight + 240 + gap);
        // Under the rows, the spectrum plot draws both curves.
        assertThat(pixelsOf(png, SpectrumPlot.LATENT, rowsHeight)).isPositive();
        assertThat(pixelsOf(png, SpectrumPlot.IMAGE, rowsHeight)).isPositive();
        // The original panel holds the first photo's top-left pixel.
        float[] first = photos.get(0).pixels();
        int red = (png.getRGB(gap, gap) >> 16) & 0xFF;
        assertThat(red).isCloseTo(Math.round((first[0] + 1) * 127.5f), within(1));
    }

    @Test
    void refusesEmptyAndMixedSizeImageSets() {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C4(), 1, "refusals")) {
            assertThatThrownBy(() -> Evaluator.evaluate(model, List.of(), EvaluationOptions.defaults()))
                    .hasMessageContaining("no images");
            List<ImageBatch> mixed = List.of(photos.get(0), new ImageBatch(new float[3 * 32 * 32], 1, 32, 32));
            assertThatThrownBy(() -> Evaluator.evaluate(model, mixed, EvaluationOptions.defaults()))
                    .hasMessageContaining("one size");
            List<ImageBatch> odd = List.of(new ImageBatch(new float[3 * 36 * 36], 1, 36, 36));
            assertThatThrownBy(() -> Evaluator.evaluate(model, odd, EvaluationOptions.defaults()))
                    .hasMessageContaining("downsampling factor 8");
        }
    }

    private static int pixelsOf(BufferedImage png, java.awt.Color color, int fromRow) {
        int count = 0;
        for (int y = fromRow; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                count += (png.getRGB(x, y) & 0xFFFFFF) == (color.getRGB() & 0xFFFFFF) ? 1 : 0;
            }
        }
        return count;
    }
}
