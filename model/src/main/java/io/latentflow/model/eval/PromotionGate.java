package io.latentflow.model.eval;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.ModelDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether a candidate model version may replace the serving one, in the style of TFX's Evaluator and MLflow's
 * thresholds. Both versions are measured on held-out RECENT images (the new data the candidate was tuned for) and
 * held-out OLDER images (what the serving version was made for); held out by source, never by tile, by the caller.
 * The candidate passes when every check holds:
 * <ol>
 *   <li>it loads and warms up as the encode job will load it: {@code ServingModel.load}, {@code newEncoder}, one
 *       batch encoded to finite latents;</li>
 *   <li>absolute floors on both image sets: PSNR, SSIM, no latent value outside [-1, 1], every channel's std in its
 *       band, no black holes;</li>
 *   <li>non-regression on the older images and improvement on the recent ones, decided on the paired bootstrap
 *       interval of the per-image PSNR change ({@link PsnrChangeRule}), not on a point estimate.</li>
 * </ol>
 * It refuses to judge at all ({@link NotEnoughHeldOutImages}) with fewer than {@code minHeldOutImages} on either side.
 */
public final class PromotionGate {

    private static final Logger LOG = LoggerFactory.getLogger(PromotionGate.class);
    /** No robustness noise: the gate judges reconstructions and latents; noise would triple its decoding time. */
    private static final EvaluationOptions EVALUATION = EvaluationOptions.reconstructionOnly();

    private final GateThresholds thresholds;
    private final boolean sameLatentSpace;

    public PromotionGate(GateThresholds thresholds) {
        this(thresholds, false);
    }

    private PromotionGate(GateThresholds thresholds, boolean sameLatentSpace) {
        this.thresholds = thresholds;
        this.sameLatentSpace = sameLatentSpace;
    }

    /**
     * This gate, also failing a candidate whose latent space ({@link ServingModel#latentSpace()}) differs from the
     * serving version's: what a decoder-only fine-tune promises, so that no consumer of the latents sees them move.
     */
    public PromotionGate requiringSameLatentSpace(boolean required) {
        return new PromotionGate(thresholds, required);
    }

    /**
     * {@link #judge(Path, Path, List, List)} on image files, decoded and resized at the job's {@code resolution} as
     * the encode job and {@code eval} prepare them.
     */
    public GateVerdict judgeFiles(Path candidateDir, Path servingDir, List<Path> recent, List<Path> older,
                                  int resolution) throws IOException {
        int f = AutoencoderConfig.read(candidateDir.resolve(ModelDirectory.CONFIG)).downsamplingFactor();
        return judge(candidateDir, servingDir, EvaluationImages.load(recent, resolution, f),
                EvaluationImages.load(older, resolution, f));
    }

    /**
     * @param recent held-out recent images (sources the candidate did not train on)
     * @param older  held-out older images (sources neither version trained on, where that is known)
     */
    public GateVerdict judge(Path candidateDir, Path servingDir, List<ImageBatch> recent, List<ImageBatch> older) {
        thresholds.requireEnoughHeldOut(EvaluationImages.count(recent), EvaluationImages.count(older));
        Measured serving;
        try (ServingModel model = ServingModel.load(servingDir)) {
            serving = Measured.of(model, recent, older, 0);
        }
        Measured candidate;
        try (ServingModel model = ServingModel.load(candidateDir)) {
            long warmupMillis = warmUp(model, recent.get(0));
            candidate = Measured.of(model, recent, older, warmupMillis);
        } catch (RuntimeException e) {
            String reason = "candidate does not load and warm up as the encode job would: " + e.getMessage();
            return new GateVerdict(String.valueOf(candidateDir.getFileName()), serving.version, false, reason,
                    List.of(reason), Map.of());
        }

        List<String> failures = new ArrayList<>();
        boolean latentSpaceKept = candidate.latentSpace.equals(serving.latentSpace);
        if (sameLatentSpace && !latentSpaceKept) {
            failures.add("latent space: the candidate's " + candidate.latentSpace + " is not the serving version's "
                    + serving.latentSpace + ", and the fine-tune was to keep it (decoder only)");
        }
        checkFloors("recent", candidate.recent, serving.recent, failures);
        checkFloors("older", candidate.older, serving.older, failures);
        PairedBootstrap bootstrap = PairedBootstrap.defaults();
        PairedBootstrap.Interval recentChange = bootstrap.ofDifferences(serving.recentPsnr, candidate.recentPsnr);
        PairedBootstrap.Interval olderChange = bootstrap.ofDifferences(serving.olderPsnr, candidate.olderPsnr);
        failures.addAll(PsnrChangeRule.failures(recentChange, olderChange, thresholds));
        String summary = format("recent %s (%.2f -> %.2f dB), older %s (%.2f -> %.2f dB)",
                PsnrChangeRule.describe(recentChange), serving.recent.psnr(), candidate.recent.psnr(),
                PsnrChangeRule.describe(olderChange), serving.older.psnr(), candidate.older.psnr());
        summary += latentSpaceKept ? "; same latent space " + serving.latentSpace
                : "; NEW latent space " + candidate.latentSpace + " (was " + serving.latentSpace + "): latents"
                + " already written stay in the old one until 'replay --backfill' re-encodes them";
        boolean passed = failures.isEmpty();
        String reason = passed ? "passed the gate: " + summary : "failed the gate: " + String.join("; ", failures);
        LOG.info("Candidate {} against serving {}: {}", candidate.version, serving.version, reason);
        return new GateVerdict(candidate.version, serving.version, passed, reason, failures,
                figures(candidate, serving, recentChange, olderChange, latentSpaceKept, passed));
    }

    /**
     * The latent floors (std band, black holes) judge the model on the distribution of the images: new kinds of images
     * (flat illustrations) may sit outside them through every version. So a latent floor fails only when the candidate
     * is outside it AND worse than the serving version on the same images; PSNR, SSIM and the range are absolute.
     */
    private void checkFloors(String set, EvaluationReport report, EvaluationReport serving, List<String> failures) {
        if (report.psnr() < thresholds.minPsnr()) {
            failures.add(format("%s images: PSNR %.2f dB below the floor %.2f dB", set, report.psnr(),
                    thresholds.minPsnr()));
        }
        if (report.ssim() < thresholds.minSsim()) {
            failures.add(format("%s images: SSIM %.3f below the floor %.3f", set, report.ssim(), thresholds.minSsim()));
        }
        if (report.fractionOutsideUnit() > thresholds.maxFractionOutsideUnit()) {
            failures.add(format("%s images: %.4f %% of latent values outside [-1, 1] (at most %.4f %%)", set,
                    100 * report.fractionOutsideUnit(), 100 * thresholds.maxFractionOutsideUnit()));
        }
        double minStd = report.channelStd().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double maxStd = report.channelStd().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double servingMinStd = serving.channelStd().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double servingMaxStd = serving.channelStd().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        boolean belowBand = minStd < thresholds.minChannelStd() && minStd < servingMinStd;
        boolean aboveBand = maxStd > thresholds.maxChannelStd() && maxStd > servingMaxStd;
        if (belowBand || aboveBand) {
            failures.add(format("%s images: latent channel std %.3f-%.3f outside the band %.3f-%.3f and beyond the"
                    + " serving version's %.3f-%.3f", set, minStd, maxStd, thresholds.minChannelStd(),
                    thresholds.maxChannelStd(), servingMinStd, servingMaxStd));
        }
        if (report.blackHolePositions() > Math.max(thresholds.maxBlackHolePositions(), serving.blackHolePositions())) {
            failures.add(format("%s images: %d black-hole latent positions (at most %d, or the serving version's %d)", set,
                    report.blackHolePositions(), thresholds.maxBlackHolePositions(), serving.blackHolePositions()));
        }
    }

    /** Loads nothing more: the model is loaded; opens an encoder and encodes one batch, as the first batch of a job. */
    private static long warmUp(ServingModel model, ImageBatch batch) {
        long started = System.nanoTime();
        try (LatentEncoder encoder = model.newEncoder()) {
            float[] latents = encoder.encode(batch.pixels(), batch.count(), batch.height(), batch.width());
            for (float value : latents) {
                if (!Float.isFinite(value)) {
                    throw new IllegalStateException("its first batch encodes to non-finite latents");
                }
            }
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static Map<String, Double> figures(Measured candidate, Measured serving,
                                               PairedBootstrap.Interval recentChange,
                                               PairedBootstrap.Interval olderChange, boolean latentSpaceKept,
                                               boolean passed) {
        Map<String, Double> figures = new LinkedHashMap<>();
        put(figures, "recent", candidate.recent, serving.recent, recentChange);
        put(figures, "older", candidate.older, serving.older, olderChange);
        figures.put("latentSpaceKept", latentSpaceKept ? 1.0 : 0.0);
        figures.put("warmupMillis", (double) candidate.warmupMillis);
        figures.put("passed", passed ? 1.0 : 0.0);
        return figures;
    }

    private static void put(Map<String, Double> figures, String set, EvaluationReport candidate,
                            EvaluationReport serving, PairedBootstrap.Interval change) {
        figures.put(set + ".images", (double) candidate.images());
        figures.put(set + ".psnr", candidate.psnr());
        figures.put(set + ".servingPsnr", serving.psnr());
        figures.put(set + ".psnrChange", change.mean());
        figures.put(set + ".psnrChangeLow", change.low());
        figures.put(set + ".psnrChangeHigh", change.high());
        figures.put(set + ".ssim", candidate.ssim());
        figures.put(set + ".servingSsim", serving.ssim());
        figures.put(set + ".fractionOutsideUnit", candidate.fractionOutsideUnit());
        figures.put(set + ".minChannelStd", candidate.channelStd().stream().mapToDouble(Double::doubleValue).min()
                .orElse(0));
        figures.put(set + ".maxChannelStd", candidate.channelStd().stream().mapToDouble(Double::doubleValue).max()
                .orElse(0));
        figures.put(set + ".blackHolePositions", (double) candidate.blackHolePositions());
        figures.put(set + ".servingBlackHolePositions", (double) serving.blackHolePositions());
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    /** One version on both image sets, with each image's PSNR in order, for the paired comparison. */
    private record Measured(String version, String latentSpace, EvaluationReport recent, double[] recentPsnr,
                            EvaluationReport older, double[] olderPsnr, long warmupMillis) {

        static Measured of(ServingModel model, List<ImageBatch> recent, List<ImageBatch> older, long warmupMillis) {
            List<Double> recentPsnr = new ArrayList<>();
            EvaluationReport recentReport = Evaluator.evaluate(model, recent, EVALUATION, recentPsnr::add);
            List<Double> olderPsnr = new ArrayList<>();
            EvaluationReport olderReport = Evaluator.evaluate(model, older, EVALUATION, olderPsnr::add);
            return new Measured(model.version(), model.latentSpace(), recentReport, unboxed(recentPsnr), olderReport, unboxed(olderPsnr),
                    warmupMillis);
        }

        private static double[] unboxed(List<Double> values) {
            return values.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }
}
