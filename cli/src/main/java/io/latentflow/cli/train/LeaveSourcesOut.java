package io.latentflow.cli.train;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.drift.ChannelDrift;
import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.WindowAccumulator;
import io.latentflow.model.drift.WindowStatistics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The drift monitor on photo sources its reference was not built from. Each split builds the reference from a random
 * half of the photo sources and streams the other half in name order (windows of one or two photos: the hard case),
 * then the new-domain images. The sources are first cut, once, into a calibration pool and a report pool (photos and
 * new domain alike): levels are read from the calibration pool's windows only, and the false alarms and detection
 * delays are counted on the report pool's, so no reported window moved a level.
 */
public final class LeaveSourcesOut {

    /** A statistic of a window, as a score (its value over its warning level in {@link DriftThresholds#DEFAULTS}). */
    record Statistic(String name, ToDoubleFunction<Window> score) {
    }

    /** A window's statistics and the scorer's assessment of them. */
    record Window(WindowStatistics statistics, DriftAssessment assessment) {
    }

    static final List<Statistic> STATISTICS = List.of(
            new Statistic("MEAN_SHIFT", w -> max(w.assessment(), ChannelDrift::meanShift) / DriftThresholds.DEFAULTS.meanShift()),
            new Statistic("VARIANCE_RATIO", w -> max(w.assessment(), c -> Math.abs(Math.log(c.varianceRatio())))
                    / DriftThresholds.DEFAULTS.logVarianceRatio()),
            new Statistic("PSI", w -> max(w.assessment(), ChannelDrift::psi) / DriftThresholds.DEFAULTS.psi()),
            new Statistic("NOVELTY", w -> Math.max(0, w.statistics().novelty() - 1)
                    / (DriftThresholds.DEFAULTS.novelty() - 1)),
            new Statistic("combined drift score", w -> w.assessment().score()),
            // the named pathologies warn whatever the score: an imported VAE's unit-scale latents must not trip them
            new Statistic("a pathology", w -> w.assessment().hasPathology() ? 1 : 0),
            new Statistic("alert (score or pathology)", w -> w.assessment().hasPathology()
                    ? Math.max(1, w.assessment().score()) : w.assessment().score()));

    /** The false-alarm rate the levels are read for: the target, at most 1 per 100 windows. */
    static final double FALSE_ALARM_TARGET = 0.01;

    private record Image(String source, float[] latent) {
    }

    /** Per statistic: scores of photo windows, and per stream the window of the switch and each window's score. */
    private static final class Scores {
        final List<Double> photoWindows = new ArrayList<>();
        final List<double[]> streams = new ArrayList<>();
        final List<Integer> switches = new ArrayList<>();
    }

    private final AutoencoderConfig config;
    private final String modelVersion;
    private final int resolution;
    private final int windowImages;

    public LeaveSourcesOut(AutoencoderConfig config, String modelVersion, int resolution, int windowImages) {
        this.config = config;
        this.modelVersion = modelVersion;
        this.resolution = resolution;
        this.windowImages = windowImages;
    }

    /** @param referenceSources photo sources per reference; null for half of them */
    /** Prints the table on {@code out} and returns the same figures as a report. */
    public Map<String, Object> run(List<FolderLatents.Encoded> photos, List<FolderLatents.Encoded> newDomain,
                                   Integer referenceSources, int splits, long seed, PrintWriter out) {
        List<Image> photoImages = images(photos);
        List<Image> newImages = images(newDomain);
        List<String> photoSources = sourcesOf(photoImages);
        List<String> newSources = sourcesOf(newImages);
        Random random = new Random(seed);
        Set<String> calibrationPhotos = half(photoSources, random);
        Set<String> calibrationNew = half(newSources, random);
        int referenceSize = referenceSources != null ? referenceSources : (photoSources.size() + 1) / 2;
        if (referenceSize < 2 || referenceSize >= photoSources.size()) {
            throw new IllegalArgumentException("--reference-sources " + referenceSize + ": give 2 to "
                    + (photoSources.size() - 1) + " of the " + photoSources.size() + " photo sources");
        }
        out.printf(Locale.ROOT, "%nleave-sources-out: %d photo sources, %d new-domain sources, %d splits (seed %d),"
                        + " windows of %d images in name order, references of %d sources%n", photoSources.size(),
                newSources.size(), splits, seed, windowImages, referenceSize);
        out.printf(Locale.ROOT, "  calibration pool: photos %s; new domain %s%n", calibrationPhotos, calibrationNew);
        Scores[][] scores = new Scores[2][STATISTICS.size()];
        for (int pool = 0; pool < 2; pool++) {
            for (int s = 0; s < STATISTICS.size(); s++) {
                scores[pool][s] = new Scores();
            }
        }
        for (int split = 0; split < splits; split++) {
            Set<String> inReference = pick(photoSources, referenceSize, random);
            List<Image> reference = ReferenceProfile.spreadEvenly(photoImages.stream()
                    .filter(i -> inReference.contains(i.source())).toList());
            ReferenceProfile profile = ReferenceProfile.of(modelVersion, config, Optional.empty(), resolution,
                    reference.stream().map(Image::latent).toList(), reference.stream().map(Image::source).toList(),
                    "split " + split);
            DriftScorer scorer = new DriftScorer(profile, DriftThresholds.DEFAULTS);
            // every image's novelty once per split: the streams below repeat the same images in other orders
            Map<Image, Double> novelty = new IdentityHashMap<>();
            for (Image image : photoImages) {
                if (!inReference.contains(image.source())) {
                    novelty.put(image, profile.novelty(image.latent()));
                }
            }
            newImages.forEach(image -> novelty.put(image, profile.novelty(image.latent())));
            for (int pool = 0; pool < 2; pool++) {
                boolean calibration = pool == 0;
                List<Image> unseen = photoImages.stream().filter(i -> !inReference.contains(i.source())
                        && calibrationPhotos.contains(i.source()) == calibration).toList();
                List<Image> domain = newImages.stream()
                        .filter(i -> calibrationNew.contains(i.source()) == calibration).toList();
                // every new-domain source in turn comes first after the switch
                List<String> domainSources = sourcesOf(domain);
                for (int first = 0; first < domainSources.size(); first++) {
                    List<Image> stream = new ArrayList<>(unseen);
                    for (int k = 0; k < domainSources.size(); k++) {
                        String source = domainSources.get((first + k) % domainSources.size());
                        domain.stream().filter(i -> i.source().equals(source)).forEach(stream::add);
                    }
                    List<Window> windows = assess(stream, novelty, profile, scorer);
                    int switchWindow = unseen.size() / windowImages;
                    for (int s = 0; s < STATISTICS.size(); s++) {
                        double[] series = windows.stream().mapToDouble(STATISTICS.get(s).score()).toArray();
                        scores[pool][s].streams.add(series);
                        scores[pool][s].switches.add(switchWindow);
                        if (first == 0) {
                            for (int w = 0; w < switchWindow; w++) {
                                scores[pool][s].photoWindows.add(series[w]);
                            }
                        }
                    }
                }
            }
        }
        out.printf(Locale.ROOT, "  %-26s %9s %9s | %-44s | %-44s%n", "", "", "", "at the DEFAULTS level (score 1)",
                "at the level read from the calibration pool");
        out.printf(Locale.ROOT, "  %-26s %9s %9s | %10s %10s %10s %10s | %10s %10s %10s %10s | %10s%n", "statistic",
                "cal wins", "rep wins", "false al.", "<=2 wins", "median", "missed", "level", "false al.",
                "<=2 wins", "median", "largest");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int s = 0; s < STATISTICS.size(); s++) {
            Scores calibration = scores[0][s];
            Scores report = scores[1][s];
            double level = quantile(calibration.photoWindows, 1 - FALSE_ALARM_TARGET);
            Detection atDefault = detection(report, 1);
            Detection atLevel = detection(report, level);
            double largest = java.util.stream.Stream.of(calibration, report).flatMap(p -> p.photoWindows.stream())
                    .mapToDouble(Double::doubleValue).max().orElse(0);
            out.printf(Locale.ROOT,
                    "  %-26s %9d %9d | %9.1f%% %9.0f%% %10s %9.0f%% | %10.2f %9.1f%% %9.0f%% %10s | %10.2f%n",
                    STATISTICS.get(s).name(), calibration.photoWindows.size(), report.photoWindows.size(),
                    100 * falseAlarms(report, 1), 100 * atDefault.withinTwo(), atDefault.median(),
                    100 * atDefault.missed(), level, 100 * falseAlarms(report, level), 100 * atLevel.withinTwo(),
                    atLevel.median(), largest);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("statistic", STATISTICS.get(s).name());
            row.put("calibrationWindows", calibration.photoWindows.size());
            row.put("reportWindows", report.photoWindows.size());
            row.put("atDefaults", Map.of("falseAlarms", falseAlarms(report, 1), "withinTwoWindows",
                    atDefault.withinTwo(), "medianWindows", atDefault.median(), "missed", atDefault.missed()));
            row.put("atCalibratedLevel", Map.of("level", level, "falseAlarms", falseAlarms(report, level),
                    "withinTwoWindows", atLevel.withinTwo(), "medianWindows", atLevel.median()));
            row.put("largestPhotoScore", largest);
            rows.add(row);
        }
        out.println("  (false al.: photo windows of the report pool at or above the level; <=2 wins: streams whose"
                + " first alarm at or after the switch window comes at most 2 windows after it, with no alarm"
                + " before it; median: windows from the switch to that alarm; missed: streams with no alarm after"
                + " the switch; level: scores' 99th percentile over the calibration pool's photo windows; largest: the"
                + " highest score of any photo window, both pools)");
        out.flush();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("photoSources", photoSources.size());
        result.put("newDomainSources", newSources.size());
        result.put("splits", splits);
        result.put("seed", seed);
        result.put("windowImages", windowImages);
        result.put("referenceSources", referenceSize);
        result.put("calibrationPhotos", calibrationPhotos);
        result.put("calibrationNewDomain", calibrationNew);
        result.put("statistics", rows);
        return result;
    }

    private record Detection(double withinTwo, String median, double missed) {
    }

    private static Detection detection(Scores scores, double level) {
        List<Integer> delays = new ArrayList<>();
        int clean = 0;
        int missed = 0;
        for (int i = 0; i < scores.streams.size(); i++) {
            double[] series = scores.streams.get(i);
            int switchWindow = scores.switches.get(i);
            boolean early = false;
            for (int w = 0; w < switchWindow; w++) {
                early |= series[w] >= level;
            }
            int delay = Integer.MAX_VALUE;
            for (int w = switchWindow; w < series.length; w++) {
                if (series[w] >= level) {
                    delay = w - switchWindow;
                    break;
                }
            }
            if (delay == Integer.MAX_VALUE) {
                missed++;
            }
            if (!early && delay <= 2) {
                clean++;
            }
            delays.add(delay);
        }
        Collections.sort(delays);
        int median = delays.get(delays.size() / 2);
        return new Detection((double) clean / delays.size(), median == Integer.MAX_VALUE ? "never"
                : String.valueOf(median), (double) missed / delays.size());
    }

    private static double falseAlarms(Scores scores, double level) {
        return scores.photoWindows.stream().filter(v -> v >= level).count() / (double) scores.photoWindows.size();
    }

    private List<Window> assess(List<Image> stream, Map<Image, Double> novelty, ReferenceProfile profile,
                                DriftScorer scorer) {
        List<Window> windows = new ArrayList<>();
        for (int from = 0; from + windowImages <= stream.size(); from += windowImages) {
            WindowAccumulator accumulator = new WindowAccumulator(profile, 0);
            for (int i = from; i < from + windowImages; i++) {
                Image image = stream.get(i);
                accumulator.add("image-" + i, image.source(), i, image.latent(), novelty.get(image));
            }
            WindowStatistics statistics = accumulator.result();
            windows.add(new Window(statistics, scorer.assess(statistics)));
        }
        return windows;
    }

    private static double max(DriftAssessment assessment, ToDoubleFunction<ChannelDrift> statistic) {
        return assessment.channels().stream().mapToDouble(statistic).max().orElse(0);
    }

    private static double quantile(List<Double> values, double rank) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(rank * sorted.size()) - 1));
    }

    private static List<Image> images(List<FolderLatents.Encoded> encoded) {
        return encoded.stream().map(e -> new Image(SourceSplit.sourceOf(e.file().getFileName().toString()),
                e.latent())).toList();
    }

    private static List<String> sourcesOf(List<Image> images) {
        return List.copyOf(new TreeSet<>(images.stream().map(Image::source).toList()));
    }

    private static Set<String> half(List<String> sources, Random random) {
        return pick(sources, (sources.size() + 1) / 2, random);
    }

    private static Set<String> pick(List<String> sources, int count, Random random) {
        List<String> shuffled = new ArrayList<>(sources);
        Collections.shuffle(shuffled, random);
        return new TreeSet<>(shuffled.subList(0, count));
    }
}
