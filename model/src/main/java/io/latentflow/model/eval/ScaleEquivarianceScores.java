package io.latentflow.model.eval;

import io.latentflow.model.LatentDecoder;
import io.latentflow.model.metrics.Psnr;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How well the decoder draws a smaller picture from a smaller latent: the PSNR of decoding the latent
 * area-downsampled by 2 (and 4) against the image area-downsampled alike. A decoder that is equivariant to scale has
 * latents whose low frequencies mean what an image's low frequencies mean, which is what a coarse-to-fine diffusion
 * model relies on. Factors that do not divide the latent's sides are left out.
 */
final class ScaleEquivarianceScores {

    static final List<Integer> FACTORS = List.of(2, 4);

    private final int channels;
    private final int latentHeight;
    private final int latentWidth;
    private final Map<Integer, Double> psnrSums = new LinkedHashMap<>();
    private long images;

    ScaleEquivarianceScores(int channels, int latentHeight, int latentWidth) {
        this.channels = channels;
        this.latentHeight = latentHeight;
        this.latentWidth = latentWidth;
        for (int factor : FACTORS) {
            if (latentHeight % factor == 0 && latentWidth % factor == 0) {
                psnrSums.put(factor, 0.0);
            }
        }
    }

    /** Decodes the batch's downsampled latents once per factor with {@code decoder}. */
    void add(ImageBatch batch, float[] latents, LatentDecoder decoder) {
        for (Map.Entry<Integer, Double> entry : psnrSums.entrySet()) {
            int factor = entry.getKey();
            float[] smallLatents = AreaDownsampling.of(latents, batch.count() * channels, latentHeight, latentWidth,
                    factor);
            float[] smallImages = AreaDownsampling.of(batch.pixels(), batch.count() * ImageBatch.CHANNELS,
                    batch.height(), batch.width(), factor);
            float[] decoded = decoder.decode(smallLatents, batch.count(), latentHeight / factor,
                    latentWidth / factor);
            double sum = entry.getValue();
            for (double psnr : Psnr.perImage(smallImages, decoded, batch.count(), ReconstructionScores.PIXELS)) {
                sum += psnr;
            }
            entry.setValue(sum);
        }
        images += batch.count();
    }

    /** Mean PSNR per factor, keyed "2" and "4". */
    Map<String, Double> result() {
        Map<String, Double> result = new LinkedHashMap<>();
        if (images == 0) {
            return result;
        }
        psnrSums.forEach((factor, sum) -> result.put(String.valueOf(factor), sum / images));
        return result;
    }
}
