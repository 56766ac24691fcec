package io.latentflow.model.drift;

import io.latentflow.model.eval.Moments;
import io.latentflow.model.eval.ValidationPsnr;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Measures windows of latent statistics against a model version's reference profile.
 *
 * <p>Per channel: the standardised mean shift, the variance ratio and the PSI over the reference's deciles; per
 * window: the novelty of its images against the reference images ({@link ReferenceImages}). Each is divided by its
 * warning level ({@link DriftThresholds}; the novelty's excess over 1 by the level's); the drift score is the largest
 * of these, so a score of 1 means that some statistic reached its warning level, and every statistic at or above the
 * warning score is a finding. One number, and an alert can always say what moved.
 *
 * <p>Named pathologies, warnings whatever the score: OUT_OF_RANGE (bounded latents only) and SCALE against fixed
 * bounds, BLACK_HOLES
 * ({@link BlackHoles} positions per image) against a level read from the reference, its most holed window plus a
 * margin.
 *
 * <p>QUALITY, with the version's validation PSNRs ({@link #withValidationPsnr}): the window's sampled reconstruction
 * PSNRs against them ({@link ReconstructionQuality}), part of the score like the drift statistics.
 *
 * <p>EXPOSURE, when the reference profile has exposure levels: the window's images' highlights and shadows against
 * the reference's rarest ({@link BrokenExposure}), part of the score too; and REPEATED_PIXELS, when it also has
 * repeated-pixel shares: the window's median share of pixels equal to their neighbour against the reference's highest
 * window ({@link RepeatedPixels}), unless EXPOSURE warns.
 */
public final class DriftScorer implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Fractions below this count as this in the PSI, whose log ratio is infinite for an empty bin. */
    static final double PSI_FLOOR = 1e-4;
    private static final double TINY_VARIANCE = 1e-12;

    private final ReferenceProfile reference;
    private final DriftThresholds thresholds;
    private final ReconstructionQuality quality;

    public DriftScorer(ReferenceProfile reference, DriftThresholds thresholds) {
        this(reference, thresholds, null);
    }

    private DriftScorer(ReferenceProfile reference, DriftThresholds thresholds, ReconstructionQuality quality) {
        this.reference = reference;
        this.thresholds = thresholds;
        this.quality = quality;
    }

    /** This scorer, also judging QUALITY against the version's validation PSNRs. */
    public DriftScorer withValidationPsnr(ValidationPsnr validation) {
        return new DriftScorer(reference, thresholds, new ReconstructionQuality(validation));
    }

    /** The QUALITY rule, when the version has validation PSNRs. */
    public Optional<ReconstructionQuality> quality() {
        return Optional.ofNullable(quality);
    }

    /** The EXPOSURE rule, when the reference profile has exposure levels (older profiles do not). */
    public Optional<BrokenExposure> exposure() {
        return Optional.ofNullable(reference.exposure()).map(BrokenExposure::new);
    }

    /** The REPEATED_PIXELS rule, when the reference profile has repeated-pixel shares (older profiles do not). */
    public Optional<RepeatedPixels> repeatedPixels() {
        return RepeatedPixels.of(reference.exposure());
    }

    public ReferenceProfile reference() {
        return reference;
    }

    public DriftThresholds thresholds() {
        return thresholds;
    }

    public DriftAssessment assess(WindowStatistics window) {
        if (window.channels().size() != reference.channelCount()) {
            throw new IllegalArgumentException("a window of " + window.channels().size() + " channels cannot be"
                    + " compared with the reference profile of " + reference.modelVersion() + " ("
                    + reference.channelCount() + " channels)");
        }
        List<ChannelDrift> channels = new ArrayList<>();
        List<DriftFinding> findings = new ArrayList<>();
        double score = 0;
        double warning = thresholds.warningScore();
        for (ChannelStatistics statistics : window.channels()) {
            ReferenceChannel expected = reference.channel(statistics.channel());
            ChannelDrift drift = channelDrift(statistics, expected);
            channels.add(drift);
            score = Math.max(score, drift.score());
            int c = statistics.channel();
            double shiftLevel = thresholds.meanShift() * warning;
            if (drift.meanShift() >= shiftLevel) {
                findings.add(new DriftFinding(c, DriftStatistic.MEAN_SHIFT, drift.meanShift(), shiftLevel,
                        statistics.mean(), expected.mean()));
            }
            double logRatioLevel = thresholds.logVarianceRatio() * warning;
            if (Math.abs(Math.log(drift.varianceRatio())) >= logRatioLevel) {
                double bound = Math.exp(drift.varianceRatio() >= 1 ? logRatioLevel : -logRatioLevel);
                findings.add(new DriftFinding(c, DriftStatistic.VARIANCE_RATIO, drift.varianceRatio(), bound,
                        statistics.variance(), expected.std() * expected.std()));
            }
            double psiLevel = thresholds.psi() * warning;
            if (drift.psi() >= psiLevel) {
                findings.add(new DriftFinding(c, DriftStatistic.PSI, drift.psi(), psiLevel, drift.psi(), 0));
            }
        }
        double novelty = noveltyScore(window.novelty());
        score = Math.max(score, novelty);
        if (novelty >= warning) {
            findings.add(new DriftFinding(DriftFinding.ALL_CHANNELS, DriftStatistic.NOVELTY, window.novelty(),
                    1 + (thresholds.novelty() - 1) * warning, window.novelty(), 1));
        }
        if (quality != null) {
            OptionalDouble qualityScore = quality.score(window.sampledPsnr());
            if (qualityScore.isPresent()) {
                score = Math.max(score, qualityScore.getAsDouble());
                if (qualityScore.getAsDouble() >= warning) {
                    double median = ReconstructionQuality.median(window.sampledPsnr());
                    findings.add(new DriftFinding(DriftFinding.ALL_CHANNELS, DriftStatistic.QUALITY, median,
                            quality.psnrAtScore(warning), median, quality.validation().median()));
                }
            }
        }
        Optional<BrokenExposure.Verdict> exposure = exposure().flatMap(rule -> rule.judge(window.exposure()));
        double exposureScore = exposure.map(BrokenExposure.Verdict::score).orElse(0.0);
        exposure.ifPresent(verdict -> addPixelFinding(findings, DriftStatistic.EXPOSURE, verdict.score(),
                verdict.windowMedian(), verdict.referenceLevel(), warning));
        // a window EXPOSURE flags repeats pixels because it has fewer levels left (a quarter of the brightness leaves
        // 64): the cause is named, and REPEATED_PIXELS would only repeat it under another name
        Optional<RepeatedPixels.Verdict> repeats = exposureScore >= warning ? Optional.empty()
                : repeatedPixels().flatMap(rule -> rule.judge(window.exposure()));
        double repeatsScore = repeats.map(RepeatedPixels.Verdict::score).orElse(0.0);
        repeats.ifPresent(verdict -> addPixelFinding(findings, DriftStatistic.REPEATED_PIXELS, verdict.score(),
                verdict.windowMedian(), verdict.referenceLevel(), warning));
        score = Math.max(score, Math.max(exposureScore, repeatsScore));
        findings.sort(Comparator.comparingDouble((DriftFinding finding) -> switch (finding.statistic()) {
            case EXPOSURE -> exposureScore;
            case REPEATED_PIXELS -> repeatsScore;
            default -> normalised(finding);
        }).reversed());
        findings.addAll(pathologies(window));
        Severity level = score >= thresholds.criticalScore() ? Severity.CRITICAL
                : score >= warning || findings.stream().anyMatch(f -> f.statistic().isPathology()) ? Severity.WARNING
                : Severity.OK;
        return new DriftAssessment(window.images(), score, channels, findings, level);
    }

    private ChannelDrift channelDrift(ChannelStatistics window, ReferenceChannel expected) {
        double meanShift = Math.abs(window.mean() - expected.mean()) / Math.max(expected.std(), Math.sqrt(TINY_VARIANCE));
        double varianceRatio = (window.variance() + TINY_VARIANCE) / (expected.std() * expected.std() + TINY_VARIANCE);
        double psi = psi(window.binFractions(), expected.binFractions());
        double score = Math.max(meanShift / thresholds.meanShift(),
                Math.max(Math.abs(Math.log(varianceRatio)) / thresholds.logVarianceRatio(), psi / thresholds.psi()));
        return new ChannelDrift(window.channel(), meanShift, varianceRatio, psi, score);
    }

    private List<DriftFinding> pathologies(WindowStatistics window) {
        List<DriftFinding> found = new ArrayList<>();
        int all = DriftFinding.ALL_CHANNELS;
        double outside = window.fractionOutsideUnit();
        if (reference.expectedScale().bounded() && outside > thresholds.outOfRange()) {
            found.add(new DriftFinding(all, DriftStatistic.OUT_OF_RANGE, outside, thresholds.outOfRange(), outside,
                    reference.fractionOutsideUnit()));
        }
        Moments overall = window.overall();
        double expectedStd = reference.expectedScale().std();
        double std = overall.std();
        if (overall.count() > 0 && Math.abs(Math.log(std / expectedStd)) > Math.log(thresholds.scaleFactor())) {
            double bound = std > expectedStd ? expectedStd * thresholds.scaleFactor()
                    : expectedStd / thresholds.scaleFactor();
            found.add(new DriftFinding(all, DriftStatistic.SCALE, std, bound, std, expectedStd));
        }
        if (window.images() > 0) {
            double perImage = (double) window.blackHoles() / window.images();
            double level = blackHoleLevel();
            if (perImage >= level) {
                found.add(new DriftFinding(all, DriftStatistic.BLACK_HOLES, perImage, level, perImage,
                        reference.blackHolesHighestWindow()));
            }
        }
        return found;
    }

    /** {@link BlackHoles} positions per image from which a window is a BLACK_HOLES pathology. */
    public double blackHoleLevel() {
        return reference.blackHolesHighestWindow() + thresholds.blackHoleMargin();
    }

    /** A statistic read from the pixels: its finding names the window's median and the reference level it passed. */
    private static void addPixelFinding(List<DriftFinding> findings, DriftStatistic statistic, double score,
                                        double windowMedian, double referenceLevel, double warning) {
        if (score >= warning) {
            findings.add(new DriftFinding(DriftFinding.ALL_CHANNELS, statistic, windowMedian, referenceLevel,
                    windowMedian, referenceLevel));
        }
    }

    private double normalised(DriftFinding finding) {
        return switch (finding.statistic()) {
            case MEAN_SHIFT -> finding.value() / thresholds.meanShift();
            case VARIANCE_RATIO -> Math.abs(Math.log(finding.value())) / thresholds.logVarianceRatio();
            case PSI -> finding.value() / thresholds.psi();
            case NOVELTY -> noveltyScore(finding.value());
            case QUALITY -> quality.scoreOfMedian(finding.value());
            default -> 0;
        };
    }

    private double noveltyScore(double novelty) {
        return Math.max(0, novelty - 1) / (thresholds.novelty() - 1);
    }

    /**
     * Population stability index {@code sum (w - r) ln(w / r)} of two distributions over the same bins, each fraction
     * floored at {@value #PSI_FLOOR}. 0 for identical distributions; by convention under 0.1 is stable and over 0.25
     * a significant shift.
     */
    public static double psi(double[] window, double[] reference) {
        if (window.length != reference.length) {
            throw new IllegalArgumentException("PSI needs the same bins: " + window.length + " vs " + reference.length);
        }
        double psi = 0;
        for (int i = 0; i < window.length; i++) {
            double w = Math.max(window[i], PSI_FLOOR);
            double r = Math.max(reference[i], PSI_FLOOR);
            psi += (w - r) * Math.log(w / r);
        }
        return psi;
    }
}
