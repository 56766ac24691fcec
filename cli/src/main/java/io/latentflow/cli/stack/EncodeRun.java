package io.latentflow.cli.stack;

import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.cli.ingest.IngestInputs;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.EncodeSummary;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.kafka.common.TopicPartition;

/**
 * One bounded run of the encode job over image folders: produce them, run the job to its end, then read
 * back what it committed. The demo and the benchmark are both made of this.
 */
public final class EncodeRun {

    private final PipelineStack pipeline;
    private final EncodeJobSettings settings;

    public EncodeRun(PipelineStack pipeline, EncodeJobSettings settings) {
        this.pipeline = pipeline;
        this.settings = settings;
    }

    public Outcome run(List<Path> folders, Instant firstEventTime, Duration eventStep) throws Exception {
        return run(folders, new IngestInputs(true, false), firstEventTime, eventStep);
    }

    /** @param folders image folders, files and webdataset shards, found as {@code inputs} says */
    public Outcome run(List<Path> folders, IngestInputs inputs, Instant firstEventTime, Duration eventStep) throws Exception {
        try (CommittedTopicReader reader = new CommittedTopicReader(pipeline.kafka().clientProperties())) {
            Map<TopicPartition, Long> latentsBefore = reader.endOffsets(Topics.LATENTS);
            Map<TopicPartition, Long> deadLettersBefore = reader.endOffsets(Topics.DEAD_LETTERS);
            boolean monitored = settings.monitoring().isPresent();
            Map<TopicPartition, Long> statsBefore = monitored ? reader.endOffsets(Topics.LATENT_STATS) : Map.of();
            Map<TopicPartition, Long> alertsBefore = monitored ? reader.endOffsets(Topics.DRIFT_ALERTS) : Map.of();
            ImageIngest.Report ingest;
            try (ImageIngest producer = new ImageIngest(pipeline.kafka(), Topics.IMAGES, pipeline.s3(),
                    ImageIngest.Limits.DEFAULTS)) {
                ingest = producer.send(folders, inputs, null, firstEventTime, eventStep);
            }
            // Taken before the job starts, so never past its stopping offsets (the latest when it starts).
            Map<TopicPartition, Long> imagesEnd = reader.endOffsets(Topics.IMAGES);
            JobExecutionResult result = EncodeJob.onKafka(settings).runToCompletion(pipeline.newEnvironment());
            ConsumedOffsets.commit(pipeline.kafka(), settings.consumerGroup(), imagesEnd);
            List<LatentRecord> latents = reader.readFrom(Topics.LATENTS, latentsBefore, AvroCodec.of(LatentRecord.class));
            List<DeadLetter> deadLetters =
                    reader.readFrom(Topics.DEAD_LETTERS, deadLettersBefore, AvroCodec.of(DeadLetter.class));
            List<LatentStatsWindow> windows = monitored
                    ? reader.readFrom(Topics.LATENT_STATS, statsBefore, AvroCodec.of(LatentStatsWindow.class)) : List.of();
            List<DriftAlert> alerts = monitored
                    ? reader.readFrom(Topics.DRIFT_ALERTS, alertsBefore, AvroCodec.of(DriftAlert.class)) : List.of();
            List<ImageIngest.Failure> notSent = new java.util.ArrayList<>(ingest.failed());
            notSent.addAll(ingest.setAside());
            return new Outcome(ingest.sent(), List.copyOf(notSent), latents, deadLetters, result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0,
                    settings, windows, alerts, EncodeSummary.of(result).duplicatesDropped());
        }
    }

    /**
     * @param imagesIn       records the broker acknowledged
     * @param ingestFailures inputs that never reached the topic (failed, or not images), with the reason
     * @param windows latent statistics windows committed by the drift monitor (empty without it)
     * @param alerts  drift alerts committed by the drift monitor (empty without it)
     * @param duplicatesDropped records dropped as duplicates of an image id already encoded (the job's count)
     */
    public record Outcome(int imagesIn, List<ImageIngest.Failure> ingestFailures, List<LatentRecord> latents, List<DeadLetter> deadLetters, double jobSeconds,
                   EncodeJobSettings settings, List<LatentStatsWindow> windows, List<DriftAlert> alerts,
                   long duplicatesDropped) {

        /**
         * Images per second while the pipeline was encoding: from the first to the last latent's processing
         * time, so job start-up (deploying tasks, loading the model) is left out. Each latent's time is its
         * batch's, so the first batch marks the start and is not counted.
         */
        public double steadyImagesPerSecond() {
            if (latents.size() < 2) {
                return 0;
            }
            long first = latents.stream().mapToLong(l -> l.getProcessingTime().toEpochMilli()).min().orElseThrow();
            long last = latents.stream().mapToLong(l -> l.getProcessingTime().toEpochMilli()).max().orElseThrow();
            long inFirstBatch = latents.stream().filter(l -> l.getProcessingTime().toEpochMilli() == first).count();
            return last == first ? 0 : (latents.size() - inFirstBatch) * 1000.0 / (last - first);
        }

        public EncodeRunSummary summary(String shardFolder) {
            Map<String, Long> reasons = deadLetters.stream().collect(Collectors.groupingBy(
                    d -> d.getReason().name(), TreeMap::new, Collectors.counting()));
            List<String> shards = latents.stream().map(LatentRecord::getShardUri).distinct().sorted().toList();
            String modelVersion = latents.isEmpty() ? settings.model().toString() : latents.get(0).getModelVersion();
            return new EncodeRunSummary(imagesIn, ingestFailures, latents.size(), duplicatesDropped, deadLetters.size(),
                    reasons, shards,
                    jobSeconds > 0 ? imagesIn / jobSeconds : 0, jobSeconds, modelVersion, settings.resolution(),
                    shardFolder, settings.monitoring().isPresent() ? windows.stream()
                    .map(w -> w.getWindowStart()).distinct().count() : null, EncodeRunSummary.alerts(alerts));
        }
    }
}
