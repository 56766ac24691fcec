package io.latentflow.model.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.drift.ReconstructionSampling;
import io.latentflow.model.train.MicroBatching;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What {@code latentflow bench model} measured: per image size, the training step and encode/decode throughput.
 * The load averages say how busy the machine was around the measurement (figures on shared cores move with it).
 * FLOPs are counted from the architecture (see {@code NetworkFlops}); the peak is the whole CPU's, whatever the
 * number of intra-op threads.
 */
public record ModelBenchmarkReport(
        String modelVersion,
        String model,
        String recipe,
        int batch,
        int threads,
        int availableProcessors,
        double loadAverageBefore,
        double loadAverageAfter,
        Iterations trainIterations,
        Iterations inferenceIterations,
        double peakGflops,
        String peakDerivation,
        List<Row> rows) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param trainStepSeconds      one training step (forward, backward, optimiser) on {@code batch} crops
     * @param trainLoss             the last measured step's total loss (finite when the step was real)
     * @param trainStepFlops        null when no training step was measured
     * @param trainStepSecondsMicroBatched the same step in micro-batches of {@code trainImagesPerMicroBatch} images,
     *                              timed in the same run (the whole-batch figure where that is the batch)
     * @param trainImagesPerMicroBatch 0 when no training step was measured
     * @param exposureImagesPerSecond images whose EXPOSURE and REPEATED_PIXELS levels ({@code ImageExposure}) one thread reads per second,
     *                              from their 8-bit pixels as the encode job has them
     */
    public record Row(int size, double trainStepSeconds, double trainImagesPerSecond, double encodeImagesPerSecond,
                      double encodeMillisPerBatch, double decodeImagesPerSecond, double decodeMillisPerBatch,
                      double trainLoss, ComputeRate encodeFlops, ComputeRate decodeFlops, ComputeRate trainStepFlops,
                      double trainStepSecondsMicroBatched, int trainImagesPerMicroBatch,
                      double exposureImagesPerSecond) {

        public boolean positiveAndFinite() {
            return positive(trainStepSeconds) && positive(trainImagesPerSecond) && positive(encodeImagesPerSecond)
                    && positive(encodeMillisPerBatch) && positive(decodeImagesPerSecond)
                    && positive(decodeMillisPerBatch) && Double.isFinite(trainLoss)
                    && positive(trainStepSecondsMicroBatched);
        }

        private static boolean positive(double value) {
            return value > 0 && Double.isFinite(value);
        }
    }

    public ModelBenchmarkReport {
        rows = List.copyOf(rows);
    }

    /**
     * The training step at the largest size over the step at the smallest, the batch the same, as training runs it by
     * default ({@link MicroBatching#DEFAULT}); null without two sizes with a measured step.
     */
    @JsonProperty("trainStepRatio")
    public Double trainStepRatio() {
        return MicroBatching.DEFAULT.equals(MicroBatching.WHOLE_BATCH) ? trainStepRatioWholeBatch()
                : trainStepRatioMicroBatched();
    }

    @JsonProperty("trainStepRatioWholeBatch")
    public Double trainStepRatioWholeBatch() {
        return stepRatio(Row::trainStepSeconds);
    }

    @JsonProperty("trainStepRatioMicroBatched")
    public Double trainStepRatioMicroBatched() {
        return stepRatio(Row::trainStepSecondsMicroBatched);
    }

    private Double stepRatio(ToDoubleFunction<Row> seconds) {
        List<Row> timed = rows.stream().filter(row -> Double.isFinite(seconds.applyAsDouble(row))).toList();
        if (timed.size() < 2) {
            return null;
        }
        Row smallest = timed.stream().min(Comparator.comparingInt(Row::size)).orElseThrow();
        Row largest = timed.stream().max(Comparator.comparingInt(Row::size)).orElseThrow();
        return smallest.size() == largest.size() ? null
                : seconds.applyAsDouble(largest) / seconds.applyAsDouble(smallest);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a benchmark report of numbers and strings always serialises", e);
        }
    }

    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "model %s (%s, recipe %s), batch %d, %d intra-op threads, %d available"
                        + " processors, load average %.2f before / %.2f after%n", modelVersion, model, recipe, batch,
                threads, availableProcessors, loadAverageBefore, loadAverageAfter));
        out.append(String.format(Locale.ROOT, "train: %d warm-up + %d measured steps; encode/decode: %d warm-up + %d"
                        + " measured calls per size%n", trainIterations.warmup(), trainIterations.measured(),
                inferenceIterations.warmup(), inferenceIterations.measured()));
        out.append(String.format(Locale.ROOT, "| %6s | %15s | %13s | %12s | %12s | %12s | %12s |%n", "size",
                "train s/step", "train img/s", "encode img/s", "encode ms", "decode img/s", "decode ms"));
        out.append("|-------:|----------------:|--------------:|-------------:|-------------:|-------------:|"
                + "-------------:|").append(System.lineSeparator());
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %6d | %15.3f | %13s | %12s | %12.1f | %12s | %12.1f |%n",
                    row.size(), row.trainStepSeconds(), rate(row.trainImagesPerSecond()),
                    rate(row.encodeImagesPerSecond()), row.encodeMillisPerBatch(), rate(row.decodeImagesPerSecond()),
                    row.decodeMillisPerBatch()));
        }
        for (Row row : rows) {
            if (row.trainImagesPerMicroBatch() > 0 && row.trainImagesPerMicroBatch() < batch) {
                out.append(String.format(Locale.ROOT, "train at %d px in micro-batches of %d: %.3f s/step (whole"
                                + " batch %.3f s/step)%n", row.size(), row.trainImagesPerMicroBatch(),
                        row.trainStepSecondsMicroBatched(), row.trainStepSeconds()));
            }
        }
        if (trainStepRatioWholeBatch() != null) {
            out.append(String.format(Locale.ROOT, "train step %d px / %d px, same batch: %.1fx whole batch, %.1fx in"
                            + " micro-batches (training's default: %s)%n",
                    rows.stream().mapToInt(Row::size).max().orElseThrow(),
                    rows.stream().mapToInt(Row::size).min().orElseThrow(), trainStepRatioWholeBatch(),
                    trainStepRatioMicroBatched(), MicroBatching.DEFAULT.optionValue()));
        }
        out.append(String.format(Locale.ROOT, "FLOPs counted from the architecture; FP32 peak %s%n", peakDerivation));
        out.append(String.format(Locale.ROOT, "| %6s | %-7s | %14s | %16s | %9s |%n", "size", "pass", "GFLOP/image",
                "achieved GFLOP/s", "% of peak"));
        out.append("|-------:|---------|---------------:|-----------------:|----------:|").append(System.lineSeparator());
        for (Row row : rows) {
            flopLine(out, row.size(), "encode", row.encodeFlops());
            flopLine(out, row.size(), "decode", row.decodeFlops());
            if (row.trainStepFlops() != null) {
                flopLine(out, row.size(), "train", row.trainStepFlops());
            }
        }
        // what the encode job's QUALITY sampling adds: decoding 1 image in N, against encoding every image
        int every = ReconstructionSampling.DEFAULT_EVERY;
        for (Row row : rows) {
            double decodePerEncode = row.encodeImagesPerSecond() / row.decodeImagesPerSecond();
            out.append(String.format(Locale.ROOT, "QUALITY sampling at %d px: a decode costs %.2f encodes; 1 in %d"
                            + " images decoded adds %.1f %% to the encoder's time%n", row.size(), decodePerEncode, every,
                    100 * decodePerEncode / every));
        }
        // what the encode job's EXPOSURE and REPEATED_PIXELS levels add: one pass over every image's pixels
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "EXPOSURE and REPEATED_PIXELS levels at %d px: %.0f images/s, %.2f %% of the encoder's"
                            + " time%n", row.size(), row.exposureImagesPerSecond(),
                    100 * row.encodeImagesPerSecond() / row.exposureImagesPerSecond()));
        }
        return out.toString();
    }

    /** Images/s to one decimal, or to three significant digits below 10 (a full-size VAE runs at 0.1 an image/s). */
    private static String rate(double imagesPerSecond) {
        return imagesPerSecond >= 10 || !Double.isFinite(imagesPerSecond)
                ? String.format(Locale.ROOT, "%.1f", imagesPerSecond)
                : new BigDecimal(imagesPerSecond).round(new MathContext(3)).toPlainString();
    }

    private static void flopLine(StringBuilder out, int size, String pass, ComputeRate rate) {
        out.append(String.format(Locale.ROOT, "| %6d | %-7s | %14.3f | %16.1f | %8.1f%% |%n", size, pass,
                rate.gflopsPerImage(), rate.achievedGflops(), 100 * rate.peakFraction()));
    }
}
