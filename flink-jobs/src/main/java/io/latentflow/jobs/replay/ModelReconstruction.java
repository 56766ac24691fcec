package io.latentflow.jobs.replay;

import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.eval.ReconstructionScores;
import io.latentflow.shards.LatentSummaries;

/**
 * One model's encode and decode of a batch, measured by {@link ReconstructionScores} exactly as {@code latentflow eval}
 * measures it, so the replay's figures and eval's agree on the same images. No Flink here: the replay operator drives
 * one of these per model.
 *
 * <p>Not thread-safe (the encoder and decoder are not); closes the model it was given.
 */
final class ModelReconstruction implements AutoCloseable {

    private final ServingModel model;
    private final LatentEncoder encoder;
    private final LatentDecoder decoder;

    ModelReconstruction(ServingModel model) {
        this.model = model;
        this.encoder = model.newEncoder();
        this.decoder = model.newDecoder();
    }

    /**
     * @param latents         NCHW
     * @param reconstructions NCHW, as the input
     * @param latentChannels  c
     * @param latentSide      latent height = width
     * @param encodeNanos     time the encode took
     * @param decodeNanos     time the decode took
     * @param scoreNanos      time PSNR and SSIM took
     */
    record Result(float[] latents, float[] reconstructions, double[] psnr, double[] ssim, int latentChannels,
                  int latentSide, long encodeNanos, long decodeNanos, long scoreNanos) {
    }

    Result reconstruct(ImageBatch batch) {
        int factor = model.config().downsamplingFactor();
        int latentSide = batch.height() / factor;
        long start = System.nanoTime();
        float[] latents = requireFinite(encoder.encode(batch.pixels(), batch.count(), batch.height(), batch.width()),
                model.version());
        long encoded = System.nanoTime();
        float[] reconstructions = decoder.decode(latents, batch.count(), latentSide, batch.width() / factor);
        long decoded = System.nanoTime();
        ReconstructionScores scores = ReconstructionScores.of(batch, reconstructions);
        long scored = System.nanoTime();
        return new Result(latents, reconstructions, scores.psnr(), scores.ssim(), model.config().latentChannels(),
                latentSide, encoded - start, decoded - encoded, scored - decoded);
    }

    /**
     * A replay cannot measure, nor backfill, a model whose latents hold NaN or infinity: it fails naming the model
     * rather than writing them or reporting meaningless figures.
     */
    static float[] requireFinite(float[] latents, String version) {
        int nonFinite = LatentSummaries.nonFiniteValues(latents);
        if (nonFinite > 0) {
            throw new IllegalStateException("Model " + version + " produced " + nonFinite + " non-finite latent values"
                    + " (NaN or infinity) in a batch of the replay: nothing of it is measured or backfilled; check the"
                    + " model's weights");
        }
        return latents;
    }

    /** An encoder of this model's posterior moments (closed by the caller, before this). */
    LatentEncoder newMomentsEncoder() {
        return model.newMomentsEncoder();
    }

    String latentSpace() {
        return model.latentSpace();
    }

    double scalingFactor() {
        return model.scalingFactor();
    }

    double shiftFactor() {
        return model.shiftFactor();
    }

    String version() {
        return model.version();
    }

    @Override
    public void close() {
        encoder.close();
        decoder.close();
        model.close();
    }
}
