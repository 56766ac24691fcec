package io.latentflow.cli.bench;

import io.latentflow.cli.common.EncodeOptions;
import io.latentflow.cli.common.Home;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.train.FolderLatents;
import io.latentflow.cli.train.KindCrops;
import io.latentflow.cli.train.LeaveKindsOut;
import io.latentflow.cli.train.LatentCache;
import io.latentflow.cli.train.LeaveSourcesOut;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ChannelDrift;
import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.WindowAccumulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The drift statistics of every window of consecutive images of each folder (in the order the demo streams them),
 * against the model's reference profile: the measurements the default thresholds were chosen from
 * ({@link DriftThresholds#DEFAULTS}). Run it again when the default model changes: folders that should raise nothing
 * must keep every window's score well below 1, folders of new content must reach it. With {@code --new-domain} it
 * judges the monitor leave-sources-out ({@link LeaveSourcesOut}); with {@code --kinds} leave-category-out, on kinds of
 * images nothing was chosen on ({@link LeaveKindsOut}).
 */
@Command(name = "drift", mixinStandardHelpOptions = true,
        description = "Drift statistics of every window of each image folder against the model's reference profile:"
                + " how far below or above the warning level each folder's windows stay.")
final class DriftCalibration implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeOptions encode;

    @Option(names = "--images", paramLabel = "DIR",
            description = "A folder of images to measure; repeat for several (default: the sample photos and"
                    + " illustrations).")
    List<Path> folders;

    @Option(names = "--reference-images", paramLabel = "DIR",
            description = "Reference images when the model stores no profile (default: the sample photos).")
    Path referenceImages;

    @Option(names = "--window-images", defaultValue = "32", description = "Images per window (default ${DEFAULT-VALUE}).")
    int windowImages;

    @Option(names = "--stride", defaultValue = "4",
            description = "Images between the starts of consecutive measured windows (default ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--latent-cache", paramLabel = "DIR",
            description = "Keep the latents of every image here and reuse them in later runs (raw float32 files).")
    Path latentCache;

    @Option(names = "--new-domain", paramLabel = "DIR",
            description = "Leave-sources-out mode: build references from half of the photo sources of the one --images"
                    + " folder, stream the other half, then this folder's images; report false alarms and detection"
                    + " delays (sources are named by file: <source>_s<scale>_<tile>.jpg).")
    Path newDomain;

    @Option(names = "--splits", defaultValue = "20",
            description = "Leave-sources-out mode: random reference/unseen splits (default ${DEFAULT-VALUE}).")
    int splits;

    @Option(names = "--seed", defaultValue = "13", description = "Seed of the splits (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--reference-sources", paramLabel = "N",
            description = "Leave-sources-out mode: photo sources each reference is built from (default: half of them;"
                    + " a shipped model's reference has every training source, e.g. 22 of 27).")
    Integer referenceSources;

    @Option(names = "--kinds", paramLabel = "DIR",
            description = "Leave-category-out mode: a set of <category>/<kind>/ image folders (eval/drift-kinds);"
                    + " report per held-out kind, in windows of one source and of mixed sources, photo windows alerted,"
                    + " new-content streams and darkened-photo streams alerted within 2 windows.")
    Path kinds;

    @Option(names = "--crops", defaultValue = "64",
            description = "Leave-category-out mode: crops cut from each image (default ${DEFAULT-VALUE}: two windows of"
                    + " one image).")
    int crops;

    @Option(names = "--streams", defaultValue = "20",
            description = "Leave-category-out mode: random orders of each kind's crops in windows of mixed sources"
                    + " (default ${DEFAULT-VALUE}).")
    int streams;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws IOException {
        if (newDomain != null) {
            return leaveSourcesOut();
        }
        if (kinds != null) {
            return leaveKindsOut();
        }
        List<Path> measured = folders != null && !folders.isEmpty() ? folders
                : List.of(Home.samples().resolve("photos"), Home.samples().resolve("illustrations"));
        ModelLocation model = ModelLocation.parse(encode.model);
        ReferenceProfile reference = ReferenceProfiles.resolve(model, encode.resolution,
                referenceImages != null ? referenceImages : Home.samples().resolve("photos"));
        DriftThresholds thresholds = DriftThresholds.DEFAULTS;
        DriftScorer scorer = new DriftScorer(reference, thresholds);
        // the table is for people: on stderr beside --json, so that stdout is the one JSON object
        PrintWriter out = output.json() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        out.printf(Locale.ROOT, "%ndrift statistics of model %s at %d px, windows of %d images every %d, reference %s%n",
                reference.modelVersion(), encode.resolution, windowImages, stride, reference.source());
        out.printf(Locale.ROOT, "  warning levels: mean shift %.2f, |ln variance ratio| %.2f, PSI %.2f, novelty %.2f,"
                        + " black holes per image %.2f (read from the reference);"
                        + " drift score = largest statistic / its level (1 = warning)%n", thresholds.meanShift(),
                thresholds.logVarianceRatio(), thresholds.psi(), thresholds.novelty(), scorer.blackHoleLevel());
        out.printf(Locale.ROOT, "  %-16s %7s %22s %22s %22s %22s %22s %9s %22s %9s%n", "folder", "windows",
                "mean shift", "|ln var ratio|", "PSI", "novelty", "score", "score>=1", "black holes/image",
                "holes>=lv");
        try (ServingModel serving = model.load(); LatentEncoder encoder = serving.newEncoder()) {
            for (Path folder : measured) {
                List<float[]> latents = new FolderLatents(serving, encoder, encode.resolution, encode.batchSize,
                        Optional.ofNullable(latentCache).map(LatentCache::new))
                        .encode(folder, spec.commandLine().getErr()).stream().map(FolderLatents.Encoded::latent)
                        .toList();
                List<double[]> windows = new ArrayList<>();
                for (int from = 0; from + windowImages <= latents.size(); from += stride) {
                    WindowAccumulator accumulator = new WindowAccumulator(reference);
                    for (int i = from; i < from + windowImages; i++) {
                        accumulator.add("image-" + i, folder.getFileName().toString(), i, latents.get(i),
                                reference.novelty(latents.get(i)));
                    }
                    var statistics = accumulator.result();
                    DriftAssessment assessment = scorer.assess(statistics);
                    double[] row = new double[6];
                    for (ChannelDrift channel : assessment.channels()) {
                        row[0] = Math.max(row[0], channel.meanShift());
                        row[1] = Math.max(row[1], Math.abs(Math.log(channel.varianceRatio())));
                        row[2] = Math.max(row[2], channel.psi());
                    }
                    row[3] = statistics.novelty();
                    row[4] = assessment.score();
                    row[5] = (double) statistics.blackHoles() / statistics.images();
                    windows.add(row);
                }
                long holed = windows.stream().filter(w -> w[5] >= scorer.blackHoleLevel()).count();
                out.printf(Locale.ROOT, "  %-16s %7d %22s %22s %22s %22s %22s %9d %22s %9d%n", folder.getFileName(),
                        windows.size(), range(windows, 0), range(windows, 1), range(windows, 2), range(windows, 3),
                        range(windows, 4), windows.stream().filter(w -> w[4] >= thresholds.warningScore()).count(),
                        range(windows, 5), holed);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("folder", folder.getFileName().toString());
                row.put("windows", windows.size());
                row.put("meanShift", minMax(windows, 0));
                row.put("logVarianceRatio", minMax(windows, 1));
                row.put("psi", minMax(windows, 2));
                row.put("novelty", minMax(windows, 3));
                row.put("score", minMax(windows, 4));
                row.put("windowsAtWarning", windows.stream().filter(w -> w[4] >= thresholds.warningScore()).count());
                row.put("blackHolesPerImage", minMax(windows, 5));
                row.put("windowsAtBlackHoleLevel", holed);
                rows.add(row);
            }
        }
        out.println("  (per window: the largest value over the channels; shown as min .. max over the windows)");
        out.flush();
        if (output.json()) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", reference.modelVersion());
            report.put("resolution", encode.resolution);
            report.put("windowImages", windowImages);
            report.put("stride", stride);
            report.put("reference", reference.source());
            report.put("thresholds", Map.of("meanShift", thresholds.meanShift(), "logVarianceRatio",
                    thresholds.logVarianceRatio(), "psi", thresholds.psi(), "novelty", thresholds.novelty(),
                    "blackHolesPerImage", scorer.blackHoleLevel()));
            report.put("folders", rows);
            output.print(spec, report);
        }
        return 0;
    }

    private Integer leaveSourcesOut() throws IOException {
        if (folders == null || folders.size() != 1) {
            throw new IllegalArgumentException("--new-domain needs exactly one --images folder of photos (the sources"
                    + " the references and the unseen windows are drawn from)");
        }
        ModelLocation model = ModelLocation.parse(encode.model);
        try (ServingModel serving = model.load(); LatentEncoder encoder = serving.newEncoder()) {
            FolderLatents latents = new FolderLatents(serving, encoder, encode.resolution, encode.batchSize,
                    Optional.ofNullable(latentCache).map(LatentCache::new));
            PrintWriter err = spec.commandLine().getErr();
            Map<String, Object> report = new LeaveSourcesOut(serving.config(), serving.version(), encode.resolution,
                    windowImages).run(latents.encode(folders.get(0), err), latents.encode(newDomain, err),
                    referenceSources, splits, seed, output.json() ? err : spec.commandLine().getOut());
            if (output.json()) {
                output.print(spec, report);
            }
        }
        return 0;
    }

    private Integer leaveKindsOut() throws IOException {
        ModelLocation model = ModelLocation.parse(encode.model);
        ReferenceProfile reference = ReferenceProfiles.resolve(model, encode.resolution,
                referenceImages != null ? referenceImages : Home.samples().resolve("photos"));
        PrintWriter err = spec.commandLine().getErr();
        List<KindCrops.Crop> encoded;
        try (ServingModel serving = model.load(); LatentEncoder encoder = serving.newEncoder()) {
            encoded = new KindCrops(serving, encoder, encode.resolution, encode.batchSize,
                    Optional.ofNullable(latentCache).map(LatentCache::new)).encode(kinds, crops, err);
        }
        Map<String, Object> report = new LeaveKindsOut(new DriftScorer(reference, DriftThresholds.DEFAULTS), streams,
                seed).run(encoded, output.json() ? err : spec.commandLine().getOut());
        if (output.json()) {
            output.print(spec, report);
        }
        return 0;
    }

    private static Map<String, Double> minMax(List<double[]> windows, int column) {
        Map<String, Double> range = new LinkedHashMap<>();
        range.put("min", windows.stream().mapToDouble(w -> w[column]).min().orElse(Double.NaN));
        range.put("max", windows.stream().mapToDouble(w -> w[column]).max().orElse(Double.NaN));
        return range;
    }

    private static String range(List<double[]> windows, int column) {
        double min = windows.stream().mapToDouble(w -> w[column]).min().orElse(Double.NaN);
        double max = windows.stream().mapToDouble(w -> w[column]).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, "%.2f .. %.2f", min, max);
    }
}
