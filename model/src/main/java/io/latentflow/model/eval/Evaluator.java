package io.latentflow.model.eval;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.BlackHoles;
import io.latentflow.model.metrics.PixelRange;
import io.latentflow.model.metrics.Psnr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleConsumer;

/**
 * Measures a model on a set of images: reconstruction quality, the latent distribution a diffusion model would have to
 * live with (its moments and its spectrum beside the images'), black-hole outliers, how gracefully the decoder takes
 * noisy latents, and how well it decodes downsampled latents into downsampled images (scale equivariance).
 *
 * <p>The images are read twice: the first pass encodes, reconstructs and gathers per-channel latent statistics; the
 * second needs those statistics (black holes are z-scores against the channel mean and std, robustness noise is in
 * units of the channel std) and decodes the latents, kept in memory (they are 48 times smaller than the images at f8
 * c8), plus noise. The {@link Iterable} must yield the same batches both times.
 *
 * <p>Uses the encoder and decoder it is given from one thread; does not close them.
 */
public final class Evaluator {

    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
    private static final PixelRange PIXELS = ReconstructionScores.PIXELS;

    private final LatentEncoder encoder;
    private final LatentDecoder decoder;
    private final AutoencoderConfig config;
    private final String modelVersion;
    private final EvaluationOptions options;

    public Evaluator(LatentEncoder encoder, LatentDecoder decoder, AutoencoderConfig config, String modelVersion,
                     EvaluationOptions options) {
        this.encoder = encoder;
        this.decoder = decoder;
        this.config = config;
        this.modelVersion = modelVersion;
        this.options = options;
    }

    /** Evaluates a served model with its own encoder and decoder, closed afterwards. */
    public static EvaluationReport evaluate(ServingModel model, Iterable<ImageBatch> batches,
                                            EvaluationOptions options, ComparisonGrid grid) {
        return evaluate(model, batches, options, grid, psnr -> { });
    }

    /** @param imagePsnr told each image's reconstruction PSNR, in the batches' order */
    public static EvaluationReport evaluate(ServingModel model, Iterable<ImageBatch> batches,
                                            EvaluationOptions options, ComparisonGrid grid, DoubleConsumer imagePsnr) {
        try (LatentEncoder encoder = model.newEncoder(); LatentDecoder decoder = model.newDecoder()) {
            return new Evaluator(encoder, decoder, model.config(), model.version(), options)
                    .evaluate(batches, grid, imagePsnr);
        }
    }

    /**
     * Evaluates a served model and tells {@code scores} each image's reconstruction PSNR and SSIM in the batches'
     * order: what a paired comparison of two models on both figures needs.
     */
    public static EvaluationReport evaluateEachImage(ServingModel model, Iterable<ImageBatch> batches,
                                                     EvaluationOptions options, ImageScores scores) {
        try (LatentEncoder encoder = model.newEncoder(); LatentDecoder decoder = model.newDecoder()) {
            return new Evaluator(encoder, decoder, model.config(), model.version(), options)
                    .evaluate(batches, null, scores);
        }
    }

    /** Told each image's reconstruction figures, in the batches' order. */
    public interface ImageScores {
        void scored(double psnr, double ssim);
    }

    public static EvaluationReport evaluate(ServingModel model, Iterable<ImageBatch> batches,
                                            EvaluationOptions options) {
        return evaluate(model, batches, options, (ComparisonGrid) null);
    }

    /**
     * Evaluates a served model and tells {@code imagePsnr} each image's reconstruction PSNR in the batches' order: what
     * a paired comparison of two versions on the same images needs.
     */
    public static EvaluationReport evaluate(ServingModel model, Iterable<ImageBatch> batches,
                                            EvaluationOptions options, DoubleConsumer imagePsnr) {
        try (LatentEncoder encoder = model.newEncoder(); LatentDecoder decoder = model.newDecoder()) {
            return new Evaluator(encoder, decoder, model.config(), model.version(), options)
                    .evaluate(batches, null, imagePsnr);
        }
    }

    public EvaluationReport evaluate(Iterable<ImageBatch> batches) {
        return evaluate(batches, null);
    }

    /**
     * @param grid collects the first images with their reconstructions and latents; null for none
     * @throws IllegalArgumentException when there are no images, their sizes differ, or they do not fit the model
     */
    public EvaluationReport evaluate(Iterable<ImageBatch> batches, ComparisonGrid grid) {
        return evaluate(batches, grid, psnr -> { });
    }

    /** @param imagePsnr told each image's reconstruction PSNR, in the batches' order */
    public EvaluationReport evaluate(Iterable<ImageBatch> batches, ComparisonGrid grid, DoubleConsumer imagePsnr) {
        return evaluate(batches, grid, (psnr, ssim) -> imagePsnr.accept(psnr));
    }

    private EvaluationReport evaluate(Iterable<ImageBatch> batches, ComparisonGrid grid, ImageScores imageScores) {
        FirstPass first = firstPass(batches, grid, imageScores);
        double[] mean = first.statistics.means();
        double[] std = first.statistics.stds();

        BlackHoles blackHoles = options.blackHoleReference().map(BlackHoles::of)
                .orElseGet(() -> new BlackHoles(mean, std));
        if (blackHoles.channels() != config.latentChannels()) {
            throw new IllegalArgumentException("the black-hole reference has " + blackHoles.channels()
                    + " channels, model " + modelVersion + " " + config.latentChannels() + ": give its own profile");
        }
        long blackHolePositions = 0;
        double worstZ = 0;
        int positions = first.latentPositions();
        int perImage = config.latentChannels() * positions;
        for (EncodedBatch encoded : first.encoded) {
            for (int n = 0; n < encoded.count; n++) {
                blackHolePositions += blackHoles.positionsIn(encoded.latents, n * perImage, positions, null);
                worstZ = Math.max(worstZ, blackHoles.worstZ(encoded.latents, n * perImage, positions));
            }
        }
        Map<String, Double> robustness = robustnessPsnr(batches, first, mean, std);

        Moments overall = first.statistics.overall();
        LatentStatistics statistics = first.statistics;
        List<Double> min = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        for (int c = 0; c < statistics.channels(); c++) {
            min.add(statistics.channel(c).min());
            max.add(statistics.channel(c).max());
        }
        EvaluationReport report = new EvaluationReport(modelVersion, config.shortName(), first.height, first.width,
                first.images, first.psnrSum / first.images, first.ssimSum / first.images,
                config.latentChannels(), first.latentHeight(), first.latentWidth(),
                boxed(mean), boxed(std), min, max,
                overall.mean(), overall.std(), statistics.fractionOutsideUnit(), 1 / overall.std(),
                BlackHoles.Z, blackHolePositions, worstZ, robustness,
                options.seed(), first.spectrum == null ? null : first.spectrum.result(),
                first.scaleEquivariance.result());
        if (grid != null && report.spectrum() != null) {
            grid.plotSpectrum(report.spectrum());
        }
        LOG.info("Evaluated {} on {} images of {}x{}: PSNR {} dB, SSIM {}, latent std {}, black holes {}",
                modelVersion, report.images(), first.height, first.width, String.format("%.2f", report.psnr()),
                String.format("%.4f", report.ssim()), String.format("%.3f", report.latentStd()),
                report.blackHolePositions());
        return report;
    }

    private FirstPass firstPass(Iterable<ImageBatch> batches, ComparisonGrid grid, ImageScores imageScores) {
        FirstPass pass = null;
        for (ImageBatch batch : batches) {
            if (pass == null) {
                pass = new FirstPass(batch.height(), batch.width(), config);
            }
            pass.requireSameSize(batch);
            float[] latents = encoder.encode(batch.pixels(), batch.count(), batch.height(), batch.width());
            float[] reconstructions = decoder.decode(latents, batch.count(), pass.latentHeight(), pass.latentWidth());
            ReconstructionScores scores = ReconstructionScores.of(batch, reconstructions);
            for (int i = 0; i < batch.count(); i++) {
                pass.psnrSum += scores.psnr()[i];
                pass.ssimSum += scores.ssim()[i];
                imageScores.scored(scores.psnr()[i], scores.ssim()[i]);
            }
            pass.statistics.add(latents, batch.count(), pass.latentPositions());
            if (pass.spectrum != null) {
                pass.spectrum.add(batch, latents);
            }
            if (options.scaleEquivariance()) {
                pass.scaleEquivariance.add(batch, latents, decoder);
            }
            pass.encoded.add(new EncodedBatch(latents, batch.count()));
            pass.images += batch.count();
            if (grid != null && !grid.isFull()) {
                grid.offer(batch, reconstructions, latents, config.latentChannels(), pass.latentHeight(),
                        pass.latentWidth());
            }
            LOG.debug("Evaluated batch {} ({} images so far)", pass.encoded.size(), pass.images);
        }
        if (pass == null) {
            throw new IllegalArgumentException("no images to evaluate: the image set is empty");
        }
        return pass;
    }

    /** Mean PSNR per noise sigma; each sigma draws from its own seeded stream, so adding a sigma changes no other. */
    private Map<String, Double> robustnessPsnr(Iterable<ImageBatch> batches, FirstPass first, double[] mean,
                                               double[] std) {
        List<Double> sigmas = options.noiseSigmas();
        double[] psnrSums = new double[sigmas.size()];
        SplittableRandom[] noise = new SplittableRandom[sigmas.size()];
        for (int s = 0; s < sigmas.size(); s++) {
            noise[s] = new SplittableRandom(options.seed() ^ Double.doubleToLongBits(sigmas.get(s)));
        }
        if (!sigmas.isEmpty()) {
            Iterator<EncodedBatch> encoded = first.encoded.iterator();
            for (ImageBatch batch : batches) {
                EncodedBatch latents = encoded.hasNext() ? encoded.next() : null;
                if (latents == null || latents.count != batch.count()) {
                    throw changedBetweenPasses();
                }
                first.requireSameSize(batch);
                for (int s = 0; s < sigmas.size(); s++) {
                    float[] noisy = withNoise(latents, sigmas.get(s), std, first.latentPositions(), noise[s]);
                    if (options.denoised()) {
                        shrinkTowardsMean(noisy, sigmas.get(s), mean, latents.count, first.latentPositions());
                    }
                    float[] decoded = decoder.decode(noisy, batch.count(), first.latentHeight(), first.latentWidth());
                    for (double psnr : Psnr.perImage(batch.pixels(), decoded, batch.count(), PIXELS)) {
                        psnrSums[s] += psnr;
                    }
                }
            }
            if (encoded.hasNext()) {
                throw changedBetweenPasses();
            }
        }
        Map<String, Double> robustness = new LinkedHashMap<>();
        for (int s = 0; s < sigmas.size(); s++) {
            robustness.put(EvaluationReport.sigmaKey(sigmas.get(s)), psnrSums[s] / first.images);
        }
        return robustness;
    }

    private static float[] withNoise(EncodedBatch batch, double sigma, double[] std, int positions,
                                     SplittableRandom random) {
        float[] noisy = batch.latents.clone();
        if (sigma == 0) {
            return noisy;
        }
        int channels = std.length;
        for (int n = 0; n < batch.count; n++) {
            for (int c = 0; c < channels; c++) {
                double scale = sigma * std[c];
                int from = (n * channels + c) * positions;
                for (int i = from; i < from + positions; i++) {
                    noisy[i] += (float) (scale * random.nextGaussian());
                }
            }
        }
        return noisy;
    }

    /** The optimal linear denoiser of a per-channel Gaussian prior at noise {@code sigma} channel std. */
    private static void shrinkTowardsMean(float[] latents, double sigma, double[] mean, int count, int positions) {
        double keep = 1 / (1 + sigma * sigma);
        int channels = mean.length;
        for (int n = 0; n < count; n++) {
            for (int c = 0; c < channels; c++) {
                int from = (n * channels + c) * positions;
                for (int i = from; i < from + positions; i++) {
                    latents[i] = (float) (mean[c] + (latents[i] - mean[c]) * keep);
                }
            }
        }
    }

    private static IllegalStateException changedBetweenPasses() {
        return new IllegalStateException("the image batches changed between the evaluator's two passes: the"
                + " Iterable must yield the same batches every time it is iterated");
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    private record EncodedBatch(float[] latents, int count) {
    }

    private static final class FirstPass {
        final int height;
        final int width;
        final int downsampling;
        final LatentStatistics statistics;
        /** Null for latents under 4x4, too small for two halves of frequencies. */
        final SpectrumAccumulator spectrum;
        final ScaleEquivarianceScores scaleEquivariance;
        final List<EncodedBatch> encoded = new ArrayList<>();
        long images;
        double psnrSum;
        double ssimSum;

        FirstPass(int height, int width, AutoencoderConfig config) {
            this.downsampling = config.downsamplingFactor();
            if (height % downsampling != 0 || width % downsampling != 0) {
                throw new IllegalArgumentException("images of " + height + "x" + width + " do not fit the model's"
                        + " downsampling factor " + downsampling + ": resize them to a multiple of it");
            }
            this.height = height;
            this.width = width;
            this.statistics = new LatentStatistics(config.latentChannels());
            this.spectrum = latentHeight() >= 4 && latentWidth() >= 4
                    ? new SpectrumAccumulator(config.latentChannels(), latentHeight(), latentWidth(), downsampling)
                    : null;
            this.scaleEquivariance = new ScaleEquivarianceScores(config.latentChannels(), latentHeight(),
                    latentWidth());
        }

        void requireSameSize(ImageBatch batch) {
            if (batch.height() != height || batch.width() != width) {
                throw new IllegalArgumentException("image batches must all have one size: got " + batch.height() + "x"
                        + batch.width() + " after " + height + "x" + width + "; resize them to one size first");
            }
        }

        int latentHeight() {
            return height / downsampling;
        }

        int latentWidth() {
            return width / downsampling;
        }

        int latentPositions() {
            return latentHeight() * latentWidth();
        }
    }
}
