package io.latentflow.jobs.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.model.eval.Moments;
import io.latentflow.model.eval.PairedBootstrap;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.LatentStatsWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The replay's figures as one JSON object (what {@code latentflow replay --json} prints and {@code report.json}
 * holds): per model ("A", "B") the mean PSNR and SSIM with bootstrap 95 % intervals, and with two models the paired
 * difference B - A with its interval; the same per event-time window (with each model's drift score against its
 * reference) and per source; latent statistics side by side; the images where B lost most to A.
 *
 * <p>PSNR and SSIM are the means over images of the per-image figures, as {@code latentflow eval} reports them.
 */
public final class ReplayReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReplayOutcome outcome;
    private final ReplayRange range;
    private final long windowMillis;
    private final int worstKept;
    private final PairedBootstrap bootstrap;

    public ReplayReport(ReplayOutcome outcome, ReplayRange range, long windowMillis, int worstKept,
                        PairedBootstrap bootstrap) {
        this.outcome = outcome;
        this.range = range;
        this.windowMillis = windowMillis;
        this.worstKept = worstKept;
        this.bootstrap = bootstrap;
    }

    /** @throws IllegalArgumentException when no image of the range reached the models */
    public ObjectNode toJson() {
        List<ImageComparison> images = sorted(outcome.images());
        if (images.isEmpty()) {
            throw new IllegalArgumentException("none of the " + range.records() + " records of " + range.describe()
                    + " could be decoded (" + outcome.rejected().size() + " rejected): nothing to compare");
        }
        ObjectNode report = JSON.createObjectNode();
        report.put("range", range.describe());
        report.put("records", range.records());
        report.put("images", images.size());
        report.put("rejected", outcome.rejected().size());
        ObjectNode reasons = report.putObject("rejectedReasons");
        outcome.rejected().stream().collect(Collectors.groupingBy(d -> d.getReason().name(), TreeMap::new,
                Collectors.counting())).forEach(reasons::put);
        ArrayNode models = report.putArray("models");
        outcome.versions().forEach(models::add);
        figures(report, images);
        report.set("latent", latent(images));
        report.set("windows", windows(images));
        report.set("sources", sources(images));
        report.set("worst", worst());
        report.put("jobSeconds", outcome.jobSeconds());
        report.put("imagesPerSecond", outcome.jobSeconds() > 0 ? images.size() / outcome.jobSeconds() : 0);
        return report;
    }

    /** The worst images, worst first, as the report lists them (the grid's rows). */
    public List<WorstImage> worstImages() {
        return outcome.worst().stream()
                .sorted(Comparator.comparingDouble((WorstImage w) -> w.score).thenComparing(w -> w.imageId))
                .limit(worstKept).toList();
    }

    private int modelCount() {
        return outcome.versions().size();
    }

    /** psnr, ssim {A, B}, their intervals, and with two models psnrDelta, ssimDelta. */
    private void figures(ObjectNode node, List<ImageComparison> images) {
        ObjectNode psnr = node.putObject("psnr");
        ObjectNode ssim = node.putObject("ssim");
        ObjectNode psnrInterval = node.putObject("psnrCi95");
        for (int m = 0; m < modelCount(); m++) {
            int model = m;
            PairedBootstrap.Interval p = bootstrap.of(values(images, c -> c.psnr[model]));
            psnr.put(ReplayJob.label(m), p.mean());
            interval(psnrInterval, ReplayJob.label(m), p);
            ssim.put(ReplayJob.label(m), mean(values(images, c -> c.ssim[model])));
        }
        if (modelCount() == 2) {
            node.set("psnrDelta", delta(bootstrap.ofDifferences(values(images, c -> c.psnr[0]),
                    values(images, c -> c.psnr[1]))));
            node.set("ssimDelta", delta(bootstrap.ofDifferences(values(images, c -> c.ssim[0]),
                    values(images, c -> c.ssim[1]))));
        }
    }

    private ObjectNode latent(List<ImageComparison> images) {
        ObjectNode latent = JSON.createObjectNode();
        for (int m = 0; m < modelCount(); m++) {
            int channels = images.get(0).channels[m];
            int offset = images.get(0).channelOffset(m);
            Moments[] perChannel = new Moments[channels];
            java.util.Arrays.fill(perChannel, Moments.EMPTY);
            long outside = 0;
            long values = 0;
            double worstAbs = 0;
            for (ImageComparison image : images) {
                for (int c = 0; c < channels; c++) {
                    perChannel[c] = perChannel[c].merge(new Moments(image.positions[m], image.channelMean[offset + c],
                            image.channelM2[offset + c], Double.NaN, Double.NaN));
                }
                outside += image.outsideUnit[m];
                values += (long) channels * image.positions[m];
                worstAbs = Math.max(worstAbs, image.maxAbs[m]);
            }
            ObjectNode model = latent.putObject(ReplayJob.label(m));
            model.put("version", outcome.versions().get(m));
            ArrayNode means = model.putArray("channelMean");
            ArrayNode stds = model.putArray("channelStd");
            Moments all = Moments.EMPTY;
            for (Moments channel : perChannel) {
                means.add(channel.mean());
                stds.add(channel.std());
                all = all.merge(channel);
            }
            model.put("std", all.std());
            model.put("fractionOutsideUnit", values == 0 ? 0 : (double) outside / values);
            model.put("worstAbs", worstAbs);
            model.put("blackHolePositions", latestWindows(m).stream()
                    .mapToLong(LatentStatsWindow::getBlackHolePositions).sum());
        }
        return latent;
    }

    private ArrayNode windows(List<ImageComparison> images) {
        Map<Long, List<ImageComparison>> byWindow = new TreeMap<>(images.stream().collect(Collectors.groupingBy(
                image -> Math.floorDiv(image.eventTime, windowMillis) * windowMillis)));
        List<Map<Long, LatentStatsWindow>> drift = new ArrayList<>();
        for (int m = 0; m < modelCount(); m++) {
            drift.add(latestWindows(m).stream().collect(Collectors.toMap(w -> w.getWindowStart().toEpochMilli(),
                    Function.identity())));
        }
        ArrayNode windows = JSON.createArrayNode();
        byWindow.forEach((start, members) -> {
            ObjectNode window = windows.addObject();
            window.put("start", java.time.Instant.ofEpochMilli(start).toString());
            window.put("end", java.time.Instant.ofEpochMilli(start + windowMillis).toString());
            window.put("images", members.size());
            figures(window, members);
            ObjectNode driftNode = window.putObject("drift");
            for (int m = 0; m < modelCount(); m++) {
                LatentStatsWindow stats = drift.get(m).get(start);
                if (stats != null) {
                    ObjectNode model = driftNode.putObject(ReplayJob.label(m));
                    model.put("score", stats.getDriftScore() == null ? 0 : stats.getDriftScore());
                    model.put("level", level(stats));
                    model.put("latentStd", stats.getStd());
                    model.put("fractionOutsideUnit", stats.getFractionOutsideUnit());
                    model.put("blackHolePositions", stats.getBlackHolePositions());
                }
            }
        });
        return windows;
    }

    private ArrayNode sources(List<ImageComparison> images) {
        Map<String, List<ImageComparison>> bySource = new TreeMap<>(images.stream().collect(Collectors.groupingBy(
                image -> image.source == null || image.source.isBlank() ? "(none)" : image.source)));
        ArrayNode sources = JSON.createArrayNode();
        bySource.forEach((source, members) -> {
            ObjectNode node = sources.addObject();
            node.put("source", source);
            node.put("images", members.size());
            figures(node, members);
        });
        return sources;
    }

    private ArrayNode worst() {
        ArrayNode worst = JSON.createArrayNode();
        for (WorstImage image : worstImages()) {
            ObjectNode node = worst.addObject();
            node.put("imageId", image.imageId);
            node.put("source", image.source);
            node.put("partition", image.partition);
            node.put("offset", image.offset);
            node.put("eventTime", java.time.Instant.ofEpochMilli(image.eventTime).toString());
            if (image.caption != null) {
                node.put("caption", image.caption);
            }
            if (image.label != null) {
                node.put("label", image.label);
            }
            ObjectNode psnr = node.putObject("psnr");
            for (int m = 0; m < image.psnr.length; m++) {
                psnr.put(ReplayJob.label(m), image.psnr[m]);
            }
            if (image.psnr.length == 2) {
                node.put("psnrDelta", image.psnr[1] - image.psnr[0]);
            }
        }
        return worst;
    }

    /** The last emission of each window: a window updated by late images is emitted again, more complete. */
    private List<LatentStatsWindow> latestWindows(int model) {
        Map<Long, LatentStatsWindow> latest = new LinkedHashMap<>();
        for (LatentStatsWindow window : outcome.windows().get(model)) {
            latest.merge(window.getWindowStart().toEpochMilli(), window,
                    (a, b) -> b.getImages() >= a.getImages() ? b : a);
        }
        return new ArrayList<>(latest.values());
    }

    private static String level(LatentStatsWindow window) {
        double score = window.getDriftScore() == null ? 0 : window.getDriftScore();
        if (window.getCriticalThreshold() != null && score >= window.getCriticalThreshold()) {
            return "CRITICAL";
        }
        if (window.getWarningThreshold() != null && score >= window.getWarningThreshold()) {
            return "WARNING";
        }
        return "OK";
    }

    private static ObjectNode delta(PairedBootstrap.Interval interval) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mean", interval.mean());
        node.putArray("ci95").add(interval.low()).add(interval.high());
        return node;
    }

    private static void interval(ObjectNode parent, String name, PairedBootstrap.Interval interval) {
        parent.putArray(name).add(interval.low()).add(interval.high());
    }

    private static double[] values(List<ImageComparison> images, java.util.function.ToDoubleFunction<ImageComparison> f) {
        return images.stream().mapToDouble(f).toArray();
    }

    private static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElse(0);
    }

    /** In Kafka order, so the bootstrap resamples the same list however the subtasks interleaved. */
    private static List<ImageComparison> sorted(List<ImageComparison> images) {
        return images.stream().sorted(Comparator.comparingInt((ImageComparison c) -> c.partition)
                .thenComparingLong(c -> c.offset)).toList();
    }

    /** Rejected records, for callers that list them. */
    public List<DeadLetter> rejected() {
        return outcome.rejected();
    }
}
