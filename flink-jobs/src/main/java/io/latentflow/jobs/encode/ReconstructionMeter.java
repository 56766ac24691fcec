package io.latentflow.jobs.encode;

import io.latentflow.model.LatentDecoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.eval.ReconstructionScores;
import io.latentflow.model.metrics.Psnr;

/**
 * Decodes the latents of the images sampled for the drift monitor's QUALITY and measures their reconstruction PSNR
 * against the very pixels the encoder saw, at the job's resolution, as {@code latentflow eval} measures it
 * ({@link ReconstructionScores#PIXELS}). Holds one decoder, of the model it last measured, made again when the
 * encoder's model changes (a hot swap).
 *
 * <p>Not thread-safe: the encoder's subtask thread only.
 */
final class ReconstructionMeter implements AutoCloseable {

    private ServingModel model;
    private LatentDecoder decoder;

    /**
     * @param servedLatents NCHW served latents of {@code count} images, what the model's encoder returns
     * @param pixels        NCHW pixels of the same images in [-1, 1], {@code resolution} square
     * @return per image, PSNR in dB
     */
    double[] psnr(ServingModel encodedBy, float[] servedLatents, float[] pixels, int count, int resolution) {
        if (encodedBy != model) {
            close();
            decoder = encodedBy.newDecoder();
            model = encodedBy;
        }
        int latentSide = resolution / encodedBy.config().downsamplingFactor();
        float[] reconstructions = decoder.decode(servedLatents, count, latentSide, latentSide);
        return Psnr.perImage(pixels, reconstructions, count, ReconstructionScores.PIXELS);
    }

    @Override
    public void close() {
        if (decoder != null) {
            decoder.close();
            decoder = null;
            model = null;
        }
    }
}
