package io.latentflow.model.eval;

import io.latentflow.model.metrics.PixelRange;
import io.latentflow.model.metrics.Psnr;
import io.latentflow.model.metrics.Ssim;

/**
 * Each image's PSNR and SSIM against its reconstruction, on pixels in [-1, 1]: how {@code latentflow eval} measures an
 * image, and the replay with it, so that both give the same figures on the same images.
 *
 * @param psnr per image, in the batch's order (dB)
 * @param ssim per image, in the batch's order
 */
public record ReconstructionScores(double[] psnr, double[] ssim) {

    /** The range the model's pixels live in. */
    public static final PixelRange PIXELS = PixelRange.SIGNED_UNIT;

    /** @param reconstructions NCHW, as the batch's pixels */
    public static ReconstructionScores of(ImageBatch batch, float[] reconstructions) {
        return new ReconstructionScores(Psnr.perImage(batch.pixels(), reconstructions, batch.count(), PIXELS),
                Ssim.perImage(batch.pixels(), reconstructions, batch.count(), ImageBatch.CHANNELS, batch.height(),
                        batch.width(), PIXELS));
    }
}
