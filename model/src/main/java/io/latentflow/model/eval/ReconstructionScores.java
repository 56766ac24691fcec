package io.latentflow.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.model.metrics.PixelRange;
import io.latentflow.model.metrics.Psnr;
import io.latentflow.model.metrics.Ssim;
import java.util.Arrays;

/**
 * Each image's PSNR and SSIM against its reconstruction, on pixels in [-1, 1]: how {@code latentflow eval} measures an
 * image, and the replay with it, so that both give the same figures on the same images.
 *
 * <p>Computed by the engine in float32, many images per pass, where a replay computes them for every image of every
 * model: in float64, a few images at a time, SSIM cost it more than the model's encode and decode together
 * (docs/replay.md). Per image, float32 stays within 0.01 dB of PSNR and 1e-4 of SSIM of the same figures in double
 * precision ({@code ReconstructionScoresTest}, on the sample photos).
 *
 * @param psnr per image, in the batch's order (dB)
 * @param ssim per image, in the batch's order
 */
public record ReconstructionScores(double[] psnr, double[] ssim) {

    /** The range the model's pixels live in. */
    public static final PixelRange PIXELS = PixelRange.SIGNED_UNIT;

    /**
     * Pixels (per channel) measured in one engine pass: SSIM holds about twenty float32 copies of the images at once,
     * so this bounds it near 125 MB, what the float64 computation of four images took.
     */
    private static final long PIXELS_PER_PASS = 8L * 256 * 256;

    /** @param reconstructions NCHW, as the batch's pixels */
    public static ReconstructionScores of(ImageBatch batch, float[] reconstructions) {
        if (reconstructions.length != batch.pixels().length) {
            throw new IllegalArgumentException("the reconstructions have " + reconstructions.length + " values, the"
                    + " images " + batch.pixels().length + ": they must have the images' NCHW shape");
        }
        int count = batch.count();
        int perPass = (int) Math.max(1, Math.min(count, PIXELS_PER_PASS / ((long) batch.height() * batch.width())));
        int values = batch.valuesPerImage();
        double[] psnr = new double[count];
        double[] ssim = new double[count];
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int first = 0; first < count; first += perPass) {
                int images = Math.min(perPass, count - first);
                try (NDManager pass = manager.newSubManager()) {
                    Shape shape = new Shape(images, ImageBatch.CHANNELS, batch.height(), batch.width());
                    NDArray expected = pass.create(slice(batch.pixels(), first * values, images * values), shape);
                    NDArray actual = pass.create(slice(reconstructions, first * values, images * values), shape);
                    copy(Psnr.perImage(expected, actual, PIXELS), psnr, first);
                    copy(Ssim.perImage(expected, actual, PIXELS), ssim, first);
                }
            }
        }
        return new ReconstructionScores(psnr, ssim);
    }

    private static float[] slice(float[] values, int from, int length) {
        return from == 0 && length == values.length ? values : Arrays.copyOfRange(values, from, from + length);
    }

    private static void copy(NDArray perImage, double[] into, int from) {
        float[] values = perImage.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            into[from + i] = values[i];
        }
    }
}
