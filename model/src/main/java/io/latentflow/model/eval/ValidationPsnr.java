package io.latentflow.model.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How well a model version reconstructs the images it was validated on: quantiles of the per-image reconstruction
 * PSNR (dB, pixels in [-1, 1], as {@link ReconstructionScores} measures them), kept in the version's
 * {@code metrics.json} under {@value #METRICS_FIELD}. The yardstick the drift monitor's QUALITY statistic holds the
 * live stream's sampled PSNRs against: the level comes from here, never from the stream.
 *
 * @param imageSize the side of the square images measured (PSNR depends on it: compare only at the same size)
 * @param images    images the quantiles were read from
 * @param quantiles PSNR at each of {@link #RANKS}, in that order
 */
public record ValidationPsnr(int imageSize, long images, double[] quantiles) implements Serializable {

    private static final long serialVersionUID = 1L;
    public static final String METRICS_FIELD = "validationPsnr";
    /** The quantiles kept: both tails and the body. */
    public static final double[] RANKS = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};

    public ValidationPsnr {
        if (images < 1 || quantiles.length != RANKS.length) {
            throw new IllegalArgumentException("a validation PSNR distribution needs at least one image and "
                    + RANKS.length + " quantiles, got " + images + " images and " + quantiles.length);
        }
        quantiles = quantiles.clone();
        for (int i = 1; i < quantiles.length; i++) {
            if (!(quantiles[i] >= quantiles[i - 1])) {
                throw new IllegalArgumentException("validation PSNR quantiles must be finite and ascending: "
                        + Arrays.toString(quantiles));
            }
        }
    }

    /** The quantiles of per-image PSNRs (linear interpolation between order statistics). */
    public static ValidationPsnr of(int imageSize, double[] perImage) {
        if (perImage.length == 0) {
            throw new IllegalArgumentException("no validation images: no PSNR distribution");
        }
        double[] sorted = perImage.clone();
        Arrays.sort(sorted);
        double[] quantiles = new double[RANKS.length];
        for (int i = 0; i < RANKS.length; i++) {
            quantiles[i] = quantileOfSorted(sorted, RANKS[i]);
        }
        return new ValidationPsnr(imageSize, perImage.length, quantiles);
    }

    /** The value at {@code rank} of ascending {@code sorted} values, interpolated between neighbours. */
    public static double quantileOfSorted(double[] sorted, double rank) {
        double position = rank * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /** The PSNR at one of {@link #RANKS}. */
    public double at(double rank) {
        for (int i = 0; i < RANKS.length; i++) {
            if (RANKS[i] == rank) {
                return quantiles[i];
            }
        }
        throw new IllegalArgumentException("no validation PSNR quantile at rank " + rank + "; kept: "
                + Arrays.toString(RANKS));
    }

    public double median() {
        return at(0.5);
    }

    /** As metrics.json holds it: {@code {"imageSize": px, "images": n, "quantiles": {"0.01": dB, ...}}}. */
    public Map<String, Object> toJson() {
        Map<String, Double> byRank = new LinkedHashMap<>();
        for (int i = 0; i < RANKS.length; i++) {
            byRank.put(EvaluationReport.sigmaKey(RANKS[i]), quantiles[i]);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("imageSize", imageSize);
        json.put("images", images);
        json.put("quantiles", byRank);
        return json;
    }

    /** The distribution in a metrics.json document, if it has one (versions made before it have none). */
    public static Optional<ValidationPsnr> fromMetrics(JsonNode metrics) {
        JsonNode node = metrics == null ? null : metrics.get(METRICS_FIELD);
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        JsonNode byRank = node.path("quantiles");
        double[] quantiles = new double[RANKS.length];
        for (int i = 0; i < RANKS.length; i++) {
            JsonNode value = byRank.get(EvaluationReport.sigmaKey(RANKS[i]));
            if (value == null || !value.isNumber()) {
                throw new IllegalArgumentException(METRICS_FIELD + " in metrics.json lacks the quantile "
                        + EvaluationReport.sigmaKey(RANKS[i]));
            }
            quantiles[i] = value.asDouble();
        }
        return Optional.of(new ValidationPsnr(node.path("imageSize").asInt(), node.path("images").asLong(), quantiles));
    }

    public static Optional<ValidationPsnr> fromMetrics(String metricsJson) {
        try {
            return fromMetrics(new ObjectMapper().readTree(metricsJson));
        } catch (IOException e) {
            throw new IllegalArgumentException("metrics.json is not JSON: " + e.getMessage(), e);
        }
    }

    /** Reads {@code metrics.json}; empty when it holds no distribution. */
    public static Optional<ValidationPsnr> read(Path metricsJson) {
        try {
            return fromMetrics(Files.readString(metricsJson));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metricsJson, e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ValidationPsnr that && imageSize == that.imageSize && images == that.images
                && Arrays.equals(quantiles, that.quantiles);
    }

    @Override
    public int hashCode() {
        return (imageSize * 31 + Long.hashCode(images)) * 31 + Arrays.hashCode(quantiles);
    }

    @Override
    public String toString() {
        return "ValidationPsnr{" + images + " images of " + imageSize + " px, " + toJson().get("quantiles") + "}";
    }
}
