package io.latentflow.cli.bench;

import io.latentflow.registry.TrustedKeys;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.bench.support.BenchImages;
import io.latentflow.cli.bench.support.FolderCopies;
import io.latentflow.cli.common.EncodeJobOptions;
import io.latentflow.cli.common.Home;
import io.latentflow.cli.replay.ReplayModels;
import io.latentflow.cli.stack.EncodeRun;
import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.imaging.ImageLimits;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.replay.ImageComparison;
import io.latentflow.jobs.replay.RangeBound;
import io.latentflow.jobs.replay.ReplayJob;
import io.latentflow.jobs.replay.ReplayOutcome;
import io.latentflow.jobs.replay.ReplayRange;
import io.latentflow.jobs.replay.ReplayRangeResolver;
import io.latentflow.jobs.replay.ReplaySettings;
import io.latentflow.jobs.replay.ReplayTimes;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.schemas.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Replay throughput against the encode job's on the same images, in one run on one stack: the encode job (no drift
 * monitor) streams the folder, then the replay reads exactly what it streamed through the models given (by default
 * the encode job's model twice: two encodes and two decodes per image). Both figures are steady states, first to
 * last batch; wall times with start-up are printed beside them.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay images/s (one or two models) vs the encode job's images/s on the same images.")
final class ReplayBenchmark implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeJobOptions job;

    @Mixin
    BenchImages images;

    @Option(names = "--models", split = ",", paramLabel = "A[,B]",
            description = "Models the replay compares (default: the encode job's model twice).")
    List<String> models;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        List<String> replayed = models != null ? models : List.of(job.encode.model, job.encode.model);
        Map<String, Object> figures = new LinkedHashMap<>();
        try (FolderCopies copies = images.copies(); PipelineStack pipeline = PipelineStack.open(job.stack)) {
            Map<TopicPartition, Long> before;
            try (CommittedTopicReader reader = new CommittedTopicReader(pipeline.kafka().clientProperties())) {
                before = reader.endOffsets(Topics.IMAGES);
            }
            EncodeRun.Outcome encoded = new EncodeRun(pipeline, job.encode.settings(pipeline))
                    .run(copies.folders(), Instant.now(), Duration.ofMillis(10));
            ReplayRange range;
            try (ReplayRangeResolver resolver = new ReplayRangeResolver(pipeline.kafka())) {
                range = resolver.resolve(Topics.IMAGES, new RangeBound.Offsets(before.entrySet().stream()
                        .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue))), RangeBound.EDGE);
            }
            List<ModelLocation> locations = ReplayModels.resolve(replayed, pipeline.kafka(), pipeline.s3(),
                    job.stack.stateDir, TrustedKeys.NOT_CHECKED); // the benchmark's own models
            List<ReferenceProfile> references = new ArrayList<>();
            for (ModelLocation location : locations) {
                references.add(ReferenceProfiles.resolve(location, job.encode.resolution,
                        Home.samples().resolve("photos")));
            }
            ReplaySettings settings = new ReplaySettings(pipeline.kafka(), pipeline.s3(), range, locations, references,
                    job.encode.resolution, job.encode.batchSize, ReplaySettings.DEFAULT_WINDOW,
                    ReplaySettings.DEFAULT_WORST, job.encode.parallelism, ImageLimits.DEFAULTS, null, null);
            ReplayOutcome replay = ReplayJob.onKafka(settings).run(pipeline.newEnvironment(), done -> { });

            double encodeRate = encoded.steadyImagesPerSecond();
            double replayRate = steadyImagesPerSecond(replay.images());
            figures.put("models", replay.versions());
            figures.put("resolution", job.encode.resolution);
            figures.put("batchSize", job.encode.batchSize);
            figures.put("images", replay.images().size());
            figures.put("encodeImagesPerSecond", round(encodeRate));
            figures.put("replayImagesPerSecond", round(replayRate));
            figures.put("replayToEncodeRatio", round(replayRate / encodeRate));
            figures.put("encodeJobSeconds", round(encoded.jobSeconds()));
            figures.put("replayJobSeconds", round(replay.jobSeconds()));
            // summed over the replay's subtasks and models: where a replay's time goes beside the encode job's
            ReplayTimes times = replay.times();
            Map<String, Object> spent = new LinkedHashMap<>();
            spent.put("encode", round(times.encodeSeconds()));
            spent.put("decode", round(times.decodeSeconds()));
            spent.put("scores", round(times.scoreSeconds()));
            spent.put("other", round(times.otherSeconds()));
            figures.put("replayOperatorSeconds", spent);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, figures);
        } else {
            out.printf("%nreplay benchmark, %s at %d px, batch %d, %d images%n", figures.get("models"),
                    job.encode.resolution, job.encode.batchSize, (Integer) figures.get("images"));
            out.printf("  encode job, steady state:  %8.1f images/s (job %.1f s incl. start-up)%n",
                    figures.get("encodeImagesPerSecond"), figures.get("encodeJobSeconds"));
            out.printf("  replay job, steady state:  %8.1f images/s (job %.1f s incl. start-up)%n",
                    figures.get("replayImagesPerSecond"), figures.get("replayJobSeconds"));
            out.printf("  ratio replay / encode:     %8.2f%n", figures.get("replayToEncodeRatio"));
            Map<?, ?> spent = (Map<?, ?>) figures.get("replayOperatorSeconds");
            out.printf("  replay's models operator:  encode %.1f s, decode %.1f s, PSNR+SSIM %.1f s, other %.1f s%n",
                    spent.get("encode"), spent.get("decode"), spent.get("scores"), spent.get("other"));
        }
        out.flush();
        return 0;
    }

    /** First to last batch, the first batch not counted (it marks the start), as {@code EncodeRun} measures. */
    static double steadyImagesPerSecond(List<ImageComparison> images) {
        if (images.size() < 2) {
            return 0;
        }
        long first = images.stream().mapToLong(i -> i.comparedAt).min().orElseThrow();
        long last = images.stream().mapToLong(i -> i.comparedAt).max().orElseThrow();
        long inFirstBatch = images.stream().filter(i -> i.comparedAt == first).count();
        return last == first ? 0 : (images.size() - inFirstBatch) * 1000.0 / (last - first);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
