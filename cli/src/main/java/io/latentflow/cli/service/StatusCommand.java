package io.latentflow.cli.service;

import io.latentflow.cli.common.JsonOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.cli.models.FineTuneRequest;
import io.latentflow.cli.stack.ServiceConnections;
import io.latentflow.cli.stack.ServiceState;
import io.latentflow.connections.S3Settings;
import io.latentflow.dashboard.EncodeJobCounters;
import io.latentflow.jobs.encode.ShardKeys;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ServingTimeline;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.registry.samples.SamplesSincePromotion;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.CommittedTopicReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import io.minio.ListObjectsArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow status}: what the running service has done, from what it committed (the topics, read
 * read_committed) and from its job's REST API.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "What the running service has done: images in, latents per model version, dead letters by"
                + " reason, consumer lag, staged shards nothing will commit, and the job's state, restarts, duplicates"
                + " dropped and last checkpoint. A dead service's service.json is told apart at once.")
public final class StatusCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    /** The running service's connections unless given: an https store with a private CA needs --s3-ca-file. */
    @Mixin
    ServiceOptions serviceOptions;

    @Mixin
    JsonOptions output;

    private ServiceConnections connections;

    @Override
    public Integer call() throws Exception {
        JsonNode service = ServiceState.read(serviceOptions.stateDir);
        KafkaSettings kafka = connections().kafka();
        Map<String, Object> status = new LinkedHashMap<>();
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka.clientProperties())) {
            Map<TopicPartition, Long> imagesEnd = reader.endOffsets(Topics.IMAGES);
            status.put("imagesIn", imagesEnd.values().stream().mapToLong(Long::longValue).sum());
            List<LatentRecord> latents = reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class));
            status.put("latentsWritten", latents.stream().collect(Collectors.groupingBy(LatentRecord::getModelVersion,
                    TreeMap::new, Collectors.counting())));
            status.put("deadLettered", reader.readFrom(Topics.DEAD_LETTERS, Map.of(), AvroCodec.of(DeadLetter.class))
                    .stream().collect(Collectors.groupingBy(d -> d.getReason().name(), TreeMap::new,
                            Collectors.counting())));
            List<ModelEvent> events = reader.readFrom(Topics.MODEL_EVENTS, Map.of(), AvroCodec.of(ModelEvent.class));
            ServingTimeline timeline = ServingTimeline.of(events);
            String own = service.get("servingVersion").asText();
            String serving = timeline.versionAt(System.currentTimeMillis()).orElse(own);
            status.put("servingVersion", serving);
            status.put("latentSpace", latentSpaceOf(serving, latents, events));
            status.put(ServiceState.MODEL_SIGNATURES, modelSignatures(service));
            status.putAll(precision(service));
            // a promotion recorded but not in effect yet (the encoders are loading it)
            status.put("nextVersion", timeline.latest().filter(next -> !next.equals(serving)).orElse(null));
            status.put("consumerLag", consumerLag(kafka, service.get("consumerGroup").asText(), imagesEnd));
            status.put("drift", DriftStatus.of(serving,
                    reader.readFrom(Topics.LATENT_STATS, Map.of(), AvroCodec.of(LatentStatsWindow.class)),
                    reader.readFrom(Topics.DRIFT_ALERTS, Map.of(), AvroCodec.of(DriftAlert.class))));
            status.put("training", lastTraining(reader));
            status.put("samplesSincePromotion",
                    samplesSince(SamplesSincePromotion.since(ModelHistory.of(events), serving)));
        }
        status.put("orphanedStaging", orphanedStaging(service));
        status.putAll(job(service.get("flinkRest").asText(), service.get("jobId").asText()));
        if (output.json()) {
            output.print(spec, status);
        } else {
            spec.commandLine().getOut().println(human(status));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /**
     * Whether the service serves only signed versions, as its service.json says; a file written before signatures
     * existed is a service that does not check them.
     */
    static String modelSignatures(JsonNode service) {
        return service.path(ServiceState.MODEL_SIGNATURES).asText(TrustedKeys.NOT_CHECKED.describe());
    }

    /**
     * What the service's models compute in and why, as its service.json says; nulls for a file written before the
     * precision was recorded.
     */
    static Map<String, Object> precision(JsonNode service) {
        Map<String, Object> precision = new LinkedHashMap<>();
        precision.put(ServiceState.PRECISION, service.path(ServiceState.PRECISION).asText(null));
        precision.put(ServiceState.PRECISION_REASON, service.path(ServiceState.PRECISION_REASON).asText(null));
        return precision;
    }

    /** The service's Kafka (with its --kafka-config, or this command's) and object storage, resolved once. */
    private ServiceConnections connections() {
        if (connections == null) {
            connections = serviceOptions.resolve();
        }
        return connections;
    }

    /** {@link SamplesSincePromotion}; null when the service has no object storage. */
    private Map<String, Object> samplesSince(Instant since) {
        ServiceConnections connections = connections();
        if (connections.s3().isEmpty()) {
            return null;
        }
        return SamplesSincePromotion.count(new TrainingSampleStore(connections.s3().get()), since);
    }

    /**
     * Objects under {@code _staging/} of jobs other than the running one: shards a job staged for checkpoints that
     * never completed, or that it was not resumed from (a job killed while no checkpoint could be kept, or started
     * with --no-resume). Nothing will commit them; they are counted here so that they are never left unseen.
     */
    private Map<String, Object> orphanedStaging(JsonNode service) {
        ServiceConnections connections = connections();
        if (connections.s3().isEmpty()) {
            return null;
        }
        String running = ShardKeys.STAGING_ROOT + service.get("jobId").asText() + "/";
        long objects = 0;
        long bytes = 0;
        Instant oldest = null;
        Set<String> jobs = new TreeSet<>();
        try {
            S3Settings s3 = connections.s3().get();
            for (Result<Item> result : s3.newClient().listObjects(ListObjectsArgs.builder().bucket(s3.bucket())
                    .prefix(ShardKeys.STAGING_ROOT).recursive(true).build())) {
                Item item = result.get();
                if (item.isDir() || item.objectName().startsWith(running)) {
                    continue;
                }
                objects++;
                bytes += item.size();
                Instant modified = item.lastModified().toInstant();
                oldest = oldest == null || modified.isBefore(oldest) ? modified : oldest;
                jobs.add(item.objectName().split("/")[1]);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot list _staging/ in the service's object storage: "
                    + e.getMessage(), e);
        }
        Map<String, Object> orphans = new LinkedHashMap<>();
        orphans.put("objects", objects);
        orphans.put("bytes", bytes);
        orphans.put("oldest", oldest == null ? null : oldest.toString());
        orphans.put("jobs", List.copyOf(jobs));
        return orphans;
    }

    /**
     * What the serving version's latents mean: as its latest latent says, else as its PUBLISHED event says; null
     * when neither is known yet (nothing encoded by a version published before versions carried it).
     */
    static String latentSpaceOf(String version, List<LatentRecord> latents, List<ModelEvent> events) {
        for (int i = latents.size() - 1; i >= 0; i--) {
            LatentRecord latent = latents.get(i);
            if (latent.getModelVersion().equals(version) && !latent.getLatentSpace().isEmpty()) {
                return latent.getLatentSpace();
            }
        }
        return events.stream().filter(event -> event.getVersion().equals(version)
                        && event.getType() == ModelEventType.PUBLISHED)
                .map(event -> event.getAttributes().get(ModelHistory.LATENT_SPACE))
                .filter(space -> space != null && !space.isEmpty()).reduce((first, last) -> last).orElse(null);
    }

    /** Where the latest training request stands (its last progress record), or null when none was made. */
    private static Map<String, Object> lastTraining(CommittedTopicReader reader) {
        List<TrainingProgress> progress = reader.readFrom(Topics.TRAINING_PROGRESS, Map.of(),
                AvroCodec.of(TrainingProgress.class));
        if (progress.isEmpty()) {
            return null;
        }
        TrainingProgress last = progress.stream().max(Comparator.comparing(TrainingProgress::getTime)).orElseThrow();
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("requestId", last.getRequestId());
        training.put("state", last.getState().name());
        training.put("step", last.getStep());
        training.put("steps", last.getSteps());
        training.put("etaSeconds", last.getEtaSeconds());
        training.put("candidateVersion", last.getCandidateVersion());
        training.put("message", last.getMessage());
        training.put("line", FineTuneRequest.line(last));
        return training;
    }

    /** Images on the topic the job's consumer group has not committed yet (it commits on checkpoints). */
    private static long consumerLag(KafkaSettings kafka, String group, Map<TopicPartition, Long> ends)
            throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                lag += end.getValue() - (at == null ? 0 : at.offset());
            }
            return lag;
        }
    }

    private static Map<String, Object> job(String rest, String jobId) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        JsonNode job = get(http, rest + "/jobs/" + jobId);
        JsonNode checkpoints = get(http, rest + "/jobs/" + jobId + "/checkpoints");
        JsonNode exceptions = get(http, rest + "/jobs/" + jobId + "/exceptions");
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("jobId", jobId);
        status.put("jobState", job.path("state").asText("UNKNOWN"));
        status.put("restarts", exceptions.path("exceptionHistory").path("entries").size());
        // records of an image id the job had encoded already (null until the job reports it)
        status.put("duplicatesDropped", new EncodeJobCounters(rest).duplicatesDropped(jobId).orElse(null));
        JsonNode last = checkpoints.path("latest").path("completed");
        Map<String, Object> checkpoint = new LinkedHashMap<>();
        if (!last.isMissingNode() && !last.isNull()) {
            checkpoint.put("id", last.path("id").asLong());
            checkpoint.put("completedAt", Instant.ofEpochMilli(last.path("latest_ack_timestamp").asLong()).toString());
        }
        status.put("lastCheckpoint", checkpoint.isEmpty() ? null : checkpoint);
        return status;
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static String human(Map<String, Object> status) {
        StringBuilder out = new StringBuilder();
        status.forEach((key, value) -> out.append(String.format("%-16s %s%n", key, value)));
        return out.toString().stripTrailing();
    }
}
