package io.latentflow.cli.replay;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.PrecisionOptions;
import io.latentflow.cli.common.TrustedKeysOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.cli.common.EncodeOptions;
import io.latentflow.cli.common.Home;
import io.latentflow.cli.common.StackOptions;
import io.latentflow.cli.replay.report.ReplayHtmlReport;
import io.latentflow.cli.replay.report.WorstImagesGrid;
import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.cli.stack.ServiceConnections;
import io.latentflow.cli.stack.ServiceState;
import io.latentflow.imaging.ImageLimits;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.replay.RangeBound;
import io.latentflow.jobs.replay.ReplayJob;
import io.latentflow.jobs.replay.ReplayOutcome;
import io.latentflow.jobs.replay.ReplayRange;
import io.latentflow.jobs.replay.ReplayRangeResolver;
import io.latentflow.jobs.replay.ReplayReport;
import io.latentflow.jobs.replay.ReplaySettings;
import io.latentflow.jobs.replay.WorstImage;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.model.Precision;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.PairedBootstrap;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import io.latentflow.shards.StoredLatents;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow replay}: replays a range of the images topic through one or two model versions in a bounded Flink
 * job and reports how they compare on exactly those images; with {@code --backfill} also writes the last model's
 * latents for the range, once.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay a range of the images topic through model versions A (and B): PSNR, SSIM, latent"
                + " statistics and drift per model, paired differences B - A with bootstrap 95 %% intervals, overall,"
                + " per window and per source, and the images where B loses most. --backfill also writes B's latents.")
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stack;

    @Option(names = "--models", required = true, split = ",", paramLabel = "A[,B]",
            description = "One or two models: registry versions, model directories, or 'default'.")
    List<String> models;

    static final class From {
        @Option(names = "--from-offset", paramLabel = "P:O,...", description = "Start at these offsets; only the"
                + " partitions named are replayed.")
        String offsets;

        @Option(names = "--from-time", paramLabel = "INSTANT",
                description = "Start at the first record at or after this Kafka record time (ISO-8601).")
        String time;

        @Option(names = "--from-beginning", description = "Start at the beginning of the topic (the default).")
        boolean beginning;
    }

    static final class To {
        @Option(names = "--to-offset", paramLabel = "P:O,...",
                description = "End before these offsets (exclusive); partitions not named run to their end.")
        String offsets;

        @Option(names = "--to-time", paramLabel = "INSTANT",
                description = "End before the first record at or after this Kafka record time (ISO-8601).")
        String time;

        @Option(names = "--to-end", description = "End at the end of the topic when the replay starts (the default).")
        boolean end;
    }

    @ArgGroup(exclusive = true)
    From from;

    @ArgGroup(exclusive = true)
    To to;

    @Option(names = "--source", paramLabel = "NAME", description = "Only images of this source.")
    String source;

    @Option(names = "--report", paramLabel = "DIR", description = "Also write report.json and report.html there.")
    Path reportDir;

    @Mixin
    TrustedKeysOptions trusted;

    @Mixin
    PrecisionOptions precision;

    @Mixin
    JsonOptions output;

    @Option(names = "--backfill", description = "Also write the last model's latents for the range (shards under"
            + " latents/model=<version>/ and LatentRecords on latents), skipping images that already have one.")
    boolean backfill;

    @Option(names = "--latents", defaultValue = "mean", paramLabel = "mean|moments",
            converter = EncodeOptions.StoredLatentsConverter.class,
            description = "What --backfill stores: mean (scaled, what a diffusion model consumes) or moments (the"
                    + " posterior's mean and log-variance, unscaled; imported VAEs and KL models only) (default"
                    + " ${DEFAULT-VALUE}).")
    StoredLatents latents;

    @Option(names = "--resolution", defaultValue = "256",
            description = "Model input side, as the encode job's (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--batch", defaultValue = "16", description = "Images per model call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--parallelism", defaultValue = "1",
            description = "Comparing subtasks, each with every model (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--window", defaultValue = "PT1M",
            description = "Event-time window of the per-window figures and drift, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--worst", defaultValue = "8", description = "Images in the worst list and grid (default ${DEFAULT-VALUE}).")
    int worst;

    @Option(names = "--reference-images", paramLabel = "DIR", description = "Images to compute a model's drift"
            + " reference from when it has none stored at this resolution (default: the shipped sample photos).")
    Path referenceImages;

    @Option(names = "--progress-every", defaultValue = "PT5S",
            description = "Progress line interval on stderr (default ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Override
    public Integer call() throws Exception {
        RangeBound start = start();
        RangeBound end = end();
        TrustedKeys trustedKeys = trusted.load();
        Precision.Choice computesIn = precision.resolve(stack.embeddedFlink());
        try (PipelineStack pipeline = openStack()) {
            ReplayRange range;
            try (ReplayRangeResolver resolver = new ReplayRangeResolver(pipeline.kafka())) {
                range = resolver.resolve(Topics.IMAGES, start, end);
            }
            say("replay: " + range.describe() + " (" + range.records() + " records) on " + pipeline.describe()
                    + "; precision " + computesIn.line());
            List<ModelLocation> locations = ReplayModels.resolve(models, pipeline.kafka(), pipeline.s3(),
                    stack.stateDir, trustedKeys);
            Path reference = referenceImages != null ? referenceImages : Home.samples().resolve("photos");
            List<ReferenceProfile> references = new ArrayList<>();
            for (ModelLocation location : locations) {
                references.add(ReferenceProfiles.resolve(location, resolution, reference));
            }
            String backfilledVersion = references.get(references.size() - 1).modelVersion();
            Map<TopicPartition, Long> latentsBefore;
            ReplaySettings.Backfill backfillSettings = null;
            try (CommittedTopicReader reader = new CommittedTopicReader(pipeline.kafka().clientProperties())) {
                latentsBefore = reader.endOffsets(Topics.LATENTS);
                if (backfill) {
                    backfillSettings = new ReplaySettings.Backfill(latentsOf(reader, Map.of(), backfilledVersion),
                            "latentflow-replay-" + UUID.randomUUID(), EncodeJobSettings.DEFAULT_CHECKPOINT_INTERVAL,
                            EncodeJobSettings.DEFAULT_TRANSACTION_TIMEOUT, EncodeJobSettings.DEFAULT_MAX_SHARD_BYTES,
                            latents);
                }
            }
            ReplaySettings settings = new ReplaySettings(pipeline.kafka(), pipeline.s3(), range, locations, references,
                    resolution, batch, window, worst, parallelism, ImageLimits.DEFAULTS, source, backfillSettings);
            ReplayProgress progress = new ReplayProgress(err(), range.records(), progressEvery.toMillis());
            ReplayOutcome outcome = ReplayJob.onKafka(settings).run(pipeline.newEnvironment(), progress::done);

            if (outcome.images().isEmpty() && source != null) {
                throw new IllegalArgumentException("no image of source '" + source + "' in " + range.describe()
                        + " reached the models (" + outcome.rejected().size() + " records rejected): check the"
                        + " source name, or replay without --source");
            }
            ReplayReport report = new ReplayReport(outcome, range, window.toMillis(), worst,
                    PairedBootstrap.defaults());
            ObjectNode json = report.toJson();
            // which precision the figures were computed in: an A/B is read against it
            json.put("precision", computesIn.used().optionValue()).put("precisionReason", computesIn.reason());
            if (backfill) {
                ObjectNode written = json.putObject("backfill");
                written.put("version", backfilledVersion);
                try (CommittedTopicReader reader = new CommittedTopicReader(pipeline.kafka().clientProperties())) {
                    written.put("latentsWritten", latentsOf(reader, latentsBefore, backfilledVersion).size());
                }
                written.put("alreadyPresent", backfillSettings.alreadyPresent().stream()
                        .filter(id -> outcome.images().stream().anyMatch(i -> id.equals(i.imageId))).count());
            }
            if (reportDir != null) {
                List<WorstImage> worstImages = report.worstImages();
                ReplayHtmlReport.write(reportDir, json, worstImages.isEmpty() ? null
                        : WorstImagesGrid.dataUri(WorstImagesGrid.render(worstImages)));
                say("wrote " + reportDir.toAbsolutePath().resolve("report.html"));
            }
            if (output.json()) {
                output.print(out(), json);
            } else {
                out().println(human(json));
                out().flush();
            }
            return 0;
        }
    }

    /**
     * The given Kafka, S3 and Flink; else, while {@code latentflow run} serves from the state folder, its Kafka and S3
     * (they hold the persisted topics then); else the embedded stack on the state folder.
     */
    private PipelineStack openStack() {
        boolean addressesGiven = (stack.kafkaBootstrap != null && !stack.kafkaBootstrap.isBlank())
                || stack.s3.external().isPresent();
        if (!addressesGiven && java.nio.file.Files.isRegularFile(
                stack.stateDir.resolve(ServiceState.SERVICE_FILE))) {
            return PipelineStack.onService(ServiceConnections.resolve(null, stack.kafkaConfig, stack.s3, stack.stateDir), stack);
        }
        return PipelineStack.open(stack);
    }

    /** Ids of the images with a committed LatentRecord of {@code version} after {@code from}. */
    private static Set<String> latentsOf(CommittedTopicReader reader, Map<TopicPartition, Long> from, String version) {
        return reader.readFrom(Topics.LATENTS, from, AvroCodec.of(LatentRecord.class)).stream()
                .filter(record -> version.equals(record.getModelVersion()))
                .map(LatentRecord::getImageId).collect(Collectors.toSet());
    }

    private RangeBound start() {
        if (from == null || from.beginning) {
            return RangeBound.EDGE;
        }
        return from.offsets != null ? RangeBound.offsets("--from-offset", from.offsets)
                : RangeBound.time("--from-time", from.time);
    }

    private RangeBound end() {
        if (to == null || to.end) {
            return RangeBound.EDGE;
        }
        return to.offsets != null ? RangeBound.offsets("--to-offset", to.offsets) : RangeBound.time("--to-time", to.time);
    }

    static String human(JsonNode report) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("latentflow replay: %s, %d images compared, %d rejected%n",
                report.get("range").asText(), report.get("images").asInt(), report.get("rejected").asInt()));
        List<String> labels = new ArrayList<>();
        report.get("psnr").fieldNames().forEachRemaining(labels::add);
        for (int m = 0; m < labels.size(); m++) {
            String l = labels.get(m);
            JsonNode latent = report.get("latent").get(l);
            out.append(String.format("  %s %s: PSNR %.2f dB [%.2f, %.2f], SSIM %.4f, latent std %.3f, %.2f %% outside"
                            + " [-1, 1], %d black holes%n", l, report.get("models").get(m).asText(),
                    report.get("psnr").get(l).asDouble(), report.get("psnrCi95").get(l).get(0).asDouble(),
                    report.get("psnrCi95").get(l).get(1).asDouble(), report.get("ssim").get(l).asDouble(),
                    latent.get("std").asDouble(), 100 * latent.get("fractionOutsideUnit").asDouble(),
                    latent.get("blackHolePositions").asLong()));
        }
        if (report.has("psnrDelta")) {
            JsonNode delta = report.get("psnrDelta");
            out.append(String.format("  B - A: PSNR %+.2f dB, 95 %% CI [%+.2f, %+.2f]; SSIM %+.4f%n",
                    delta.get("mean").asDouble(), delta.get("ci95").get(0).asDouble(),
                    delta.get("ci95").get(1).asDouble(), report.get("ssimDelta").get("mean").asDouble()));
        }
        out.append(String.format("  %d window(s), %d source(s)%n", report.get("windows").size(),
                report.get("sources").size()));
        for (JsonNode window : report.get("windows")) {
            out.append(String.format("    %s  %4d images", window.get("start").asText(), window.get("images").asInt()));
            for (String l : labels) {
                JsonNode drift = window.get("drift").get(l);
                out.append(String.format("  %s %.2f dB", l, window.get("psnr").get(l).asDouble()));
                if (drift != null) {
                    out.append(String.format(" (drift %.2f %s)", drift.get("score").asDouble(),
                            drift.get("level").asText()));
                }
            }
            if (window.has("psnrDelta")) {
                JsonNode delta = window.get("psnrDelta");
                out.append(String.format("  B - A %+.2f [%+.2f, %+.2f]", delta.get("mean").asDouble(),
                        delta.get("ci95").get(0).asDouble(), delta.get("ci95").get(1).asDouble()));
            }
            out.append(System.lineSeparator());
        }
        out.append("  worst:").append(System.lineSeparator());
        for (JsonNode worst : report.get("worst")) {
            out.append(String.format("    %s (%d@%d)", worst.get("imageId").asText(), worst.get("partition").asInt(),
                    worst.get("offset").asLong()));
            for (String l : labels) {
                out.append(String.format("  %s %.2f dB", l, worst.get("psnr").get(l).asDouble()));
            }
            out.append(System.lineSeparator());
        }
        if (report.has("backfill")) {
            JsonNode backfill = report.get("backfill");
            out.append(String.format("  backfill of %s: %d latents written, %d images already had one%n",
                    backfill.get("version").asText(), backfill.get("latentsWritten").asInt(),
                    backfill.get("alreadyPresent").asInt()));
        }
        return out.toString().stripTrailing();
    }

    /** Human lines go to stderr beside --json, so stdout stays one JSON object. */
    private void say(String line) {
        PrintWriter out = output.json() ? err() : out();
        out.println(line);
        out.flush();
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
