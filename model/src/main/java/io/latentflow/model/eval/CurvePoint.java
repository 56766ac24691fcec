package io.latentflow.model.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One evaluation along a training run's budget, as the trainer's learning curve records it in metrics.json
 * ({@code training.curve}): where in the budget, the validation figures, and every image's PSNR and SSIM in the
 * validation images' order (what a paired comparison between runs needs).
 *
 * @param fraction                of the budget, 1 at its end
 * @param step                    steps done then
 * @param minutes                 budget time spent then, on the budget's clock
 * @param robustnessPsnrDenoised  PSNR of decoding noisy, then denoised latents by noise level; empty where not measured
 */
public record CurvePoint(double fraction, long step, double minutes, double psnr, double ssim,
                         Double latentHighFrequency, Map<String, Double> robustnessPsnrDenoised, double[] imagePsnr,
                         double[] imageSsim) {

    static CurvePoint fromJson(JsonNode point) {
        Map<String, Double> denoised = new LinkedHashMap<>();
        point.path("robustnessPsnrDenoised").fields().forEachRemaining(e -> denoised.put(e.getKey(),
                e.getValue().asDouble()));
        return new CurvePoint(point.path("fraction").asDouble(), point.path("step").asLong(),
                point.path("minutes").asDouble(), point.path("psnr").asDouble(), point.path("ssim").asDouble(),
                point.hasNonNull("latentHighFrequency") ? point.get("latentHighFrequency").asDouble() : null,
                denoised, doubles(point.path("imagePsnr")), doubles(point.path("imageSsim")));
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }
}
