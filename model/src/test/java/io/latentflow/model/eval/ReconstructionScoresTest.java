package io.latentflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.metrics.Psnr;
import io.latentflow.model.metrics.Ssim;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's float32 scores against the same formulas in double precision, per image, on real photos and real
 * reconstructions: the shipped model's (close to the photos) and an untrained model's (nearly flat, where a variance
 * is a difference of nearly equal moments and float32 rounds most).
 */
class ReconstructionScoresTest {

    private static final double PSNR_TOLERANCE_DB = 0.01;
    private static final double SSIM_TOLERANCE = 1e-4;

    @Test
    void theShippedModelsScoresAgreeWithDoublePrecision() {
        try (ServingModel model = ServingModel.loadDefault()) {
            assertAgreesWithDoublePrecision(model);
        }
    }

    @Test
    void anUntrainedModelsFlatReconstructionsAgreeWithDoublePrecision() {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C4(), 11, "untrained")) {
            assertAgreesWithDoublePrecision(model);
        }
    }

    @Test
    void reconstructionsOfAnotherShapeAreRefused() {
        ImageBatch batch = new ImageBatch(new float[2 * 3 * 16 * 16], 2, 16, 16);
        assertThatThrownBy(() -> ReconstructionScores.of(batch, new float[3 * 16 * 16]))
                .hasMessageContaining("NCHW shape");
    }

    private static void assertAgreesWithDoublePrecision(ServingModel model) {
        // Batches of 12 at 256 px: more than one engine pass each, so the passes are stitched in the right order.
        List<ImageBatch> batches = SamplePhotos.batches(24, 256, 12);
        double worstPsnr = 0;
        double worstSsim = 0;
        try (LatentEncoder encoder = model.newEncoder(); LatentDecoder decoder = model.newDecoder()) {
            for (ImageBatch batch : batches) {
                int side = batch.height() / model.config().downsamplingFactor();
                float[] latents = encoder.encode(batch.pixels(), batch.count(), batch.height(), batch.width());
                float[] reconstructions = decoder.decode(latents, batch.count(), side, side);
                ReconstructionScores scores = ReconstructionScores.of(batch, reconstructions);
                double[] psnr = Psnr.perImage(batch.pixels(), reconstructions, batch.count(),
                        ReconstructionScores.PIXELS);
                double[] ssim = Ssim.perImage(batch.pixels(), reconstructions, batch.count(), ImageBatch.CHANNELS,
                        batch.height(), batch.width(), ReconstructionScores.PIXELS);
                for (int n = 0; n < batch.count(); n++) {
                    assertThat(scores.psnr()[n]).as("PSNR of image %d", n).isCloseTo(psnr[n],
                            within(PSNR_TOLERANCE_DB));
                    assertThat(scores.ssim()[n]).as("SSIM of image %d", n).isCloseTo(ssim[n],
                            within(SSIM_TOLERANCE));
                    worstPsnr = Math.max(worstPsnr, Math.abs(scores.psnr()[n] - psnr[n]));
                    worstSsim = Math.max(worstSsim, Math.abs(scores.ssim()[n] - ssim[n]));
                }
            }
        }
        System.out.printf("%s: largest float32 - float64 difference per image: PSNR %.2e dB, SSIM %.2e%n",
                model.version(), worstPsnr, worstSsim);
    }
}
