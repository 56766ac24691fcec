package io.latentflow.model.eval;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Evaluator} measured over a set of images: the JSON of {@code latentflow eval --json}, of a model
 * version's {@code metrics.json}, and of a reference latent profile. New fields get added at the end; readers ignore
 * fields they do not know.
 *
 * @param modelVersion        the evaluated model version
 * @param model               its architecture, e.g. {@code bounded-f8c8}
 * @param imageHeight         pixels of every evaluated image
 * @param imageWidth          pixels of every evaluated image
 * @param images              images evaluated
 * @param psnr                mean over images of the reconstruction PSNR, dB, data range 2 (pixels in [-1, 1])
 * @param ssim                mean over images of the reconstruction SSIM (Gaussian 11 / 1.5, valid region)
 * @param latentChannels      c
 * @param latentHeight        latent positions per column
 * @param latentWidth         latent positions per row
 * @param channelMean         per latent channel, over all images and positions
 * @param channelStd          per latent channel, population standard deviation
 * @param channelMin          per latent channel
 * @param channelMax          per latent channel
 * @param latentMean          over all channels pooled
 * @param latentStd           over all channels pooled
 * @param fractionOutsideUnit latent values outside [-1, 1] over all latent values
 * @param scaleFactor         {@code 1 / latentStd}: what a diffusion model would multiply latents by (SD: 0.18215)
 * @param blackHoleThreshold  {@link io.latentflow.model.drift.BlackHoles#Z}: the |z| a black hole is beyond
 * @param blackHolePositions  {@link io.latentflow.model.drift.BlackHoles} positions: latent positions with some channel
 *                            beyond the threshold, z against the model's reference profile (or, without one, the
 *                            evaluated images' channel means and stds)
 * @param worstZ              the largest |z| of any latent value, measured the same way
 * @param robustnessPsnr      mean PSNR when decoding latents plus Gaussian noise of sigma x channel std, keyed by
 *                            sigma ("0.05", "0.1", "0.2")
 * @param noiseSeed           seed of that noise
 * @param spectrum            the latents' radially averaged DCT spectrum beside the images' at the latent's size
 *                            ({@link LatentSpectrum}); null for latents under 4x4 and in reports written before it
 * @param scaleEquivariance   mean PSNR of decoding the latent area-downsampled by 2 and by 4 against the image
 *                            downsampled alike, keyed by the factor ("2", "4"); empty in reports written before it
 */
@JsonPropertyOrder(alphabetic = false)
public record EvaluationReport(
        String modelVersion,
        String model,
        int imageHeight,
        int imageWidth,
        long images,
        double psnr,
        double ssim,
        int latentChannels,
        int latentHeight,
        int latentWidth,
        List<Double> channelMean,
        List<Double> channelStd,
        List<Double> channelMin,
        List<Double> channelMax,
        double latentMean,
        double latentStd,
        double fractionOutsideUnit,
        double scaleFactor,
        double blackHoleThreshold,
        long blackHolePositions,
        double worstZ,
        Map<String, Double> robustnessPsnr,
        long noiseSeed,
        LatentSpectrum spectrum,
        Map<String, Double> scaleEquivariance) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public EvaluationReport {
        channelMean = List.copyOf(channelMean);
        channelStd = List.copyOf(channelStd);
        channelMin = List.copyOf(channelMin);
        channelMax = List.copyOf(channelMax);
        // Map.copyOf would lose the order of the sigmas.
        robustnessPsnr = Collections.unmodifiableMap(new LinkedHashMap<>(robustnessPsnr));
        scaleEquivariance = Collections.unmodifiableMap(scaleEquivariance == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(scaleEquivariance));
    }

    /** The key of a noise sigma in {@link #robustnessPsnr()}: its shortest decimal form, e.g. "0.05", "0.1", "0". */
    public static String sigmaKey(double sigma) {
        return BigDecimal.valueOf(sigma).stripTrailingZeros().toPlainString();
    }

    /** Robustness PSNR for one sigma; throws when it was not measured. */
    public double robustnessPsnr(double sigma) {
        Double psnrAtSigma = robustnessPsnr.get(sigmaKey(sigma));
        if (psnrAtSigma == null) {
            throw new IllegalArgumentException("no robustness PSNR for sigma " + sigma + "; measured: "
                    + robustnessPsnr.keySet());
        }
        return psnrAtSigma;
    }

    /** One JSON object on one line. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the evaluation report", e);
        }
    }

    public String toPrettyJson() {
        try {
            return JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the evaluation report", e);
        }
    }

    public static EvaluationReport fromJson(String json) {
        try {
            return JSON.readValue(json, EvaluationReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an evaluation report: " + e.getOriginalMessage(), e);
        }
    }
}
