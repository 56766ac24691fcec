package io.latentflow.cli.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.dashboard.Dashboard;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.model.Precision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the running service leaves in its state folder: {@code service.json} (where its parts are, for {@code ingest},
 * {@code status} and people) while it runs, and the savepoint of its last stop, which the next run resumes from.
 */
public final class ServiceState {

    public static final String SERVICE_FILE = "service.json";
    public static final String ENCODE_JOB = "encode";
    public static final String TRAINING_JOB = "training";
    /** service.json field: "not checked", or "trusted keys: N" (the service serves only versions they signed). */
    public static final String MODEL_SIGNATURES = "modelSignatures";
    /** service.json fields: what the encode job's models compute in (fp32, bf16), and why ({@link Precision}). */
    public static final String PRECISION = "precision";
    public static final String PRECISION_REASON = "precisionReason";
    /** service.json field: the --kafka-config file the service was started with, or null for PLAINTEXT. */
    static final String KAFKA_CONFIG_FILE = "kafkaConfigFile";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path stateDir;

    public ServiceState(Path stateDir) {
        this.stateDir = stateDir;
    }

    public Path serviceFile() {
        return stateDir.resolve(SERVICE_FILE);
    }

    /** Where model versions downloaded from the registry are kept. */
    public Path modelsDirectory() {
        return stateDir.resolve("service").resolve("models");
    }

    /** Where the continuous-training job keeps the files of its runs. */
    public Path trainingDirectory() {
        return stateDir.resolve("service").resolve("training");
    }

    /** Where the encode job's checkpoints are kept, retained when it fails or is killed, for the next run. */
    public Path checkpointDirectory() {
        return stateDir.resolve("service").resolve("checkpoints");
    }

    /**
     * Deletes the retained checkpoints of earlier jobs (a kill left them, a resume read them): the savepoint just
     * taken is newer than all of them.
     */
    public void forgetCheckpoints() throws IOException {
        Path root = checkpointDirectory();
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!path.equals(root)) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    /** When the last savepoint of {@code job} was noted (after it completed), if one was. */
    public Optional<Instant> savepointNotedAt(String job) throws IOException {
        Path file = savepointFile(job);
        return Files.isRegularFile(file) ? Optional.of(Files.getLastModifiedTime(file).toInstant()) : Optional.empty();
    }

    public Path savepointDirectory() {
        return stateDir.resolve("service").resolve("savepoints");
    }

    /** The savepoint the last run stopped the encode job with, if any. */
    public Optional<String> lastSavepoint() throws IOException {
        return lastSavepoint(ENCODE_JOB);
    }

    /** The savepoint the last run stopped the job {@code job} ({@link #ENCODE_JOB}, {@link #TRAINING_JOB}) with. */
    public Optional<String> lastSavepoint(String job) throws IOException {
        Path file = savepointFile(job);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String path = Files.readString(file).strip();
        return path.isEmpty() ? Optional.empty() : Optional.of(path);
    }

    public void rememberSavepoint(String path) throws IOException {
        rememberSavepoint(ENCODE_JOB, path);
    }

    public void rememberSavepoint(String job, String path) throws IOException {
        Path file = savepointFile(job);
        Files.createDirectories(file.getParent());
        Files.writeString(file, path + "\n");
    }

    private Path savepointFile(String job) {
        return stateDir.resolve("service").resolve(ENCODE_JOB.equals(job) ? "last-savepoint" : "last-savepoint-" + job);
    }

    public void writeServiceFile(PipelineStack pipeline, Dashboard dashboard, String jobId, EncodeJobSettings settings,
                          String servingVersion) {
        writeServiceFile(pipeline, dashboard, jobId, settings, servingVersion, null, null);
    }

    /**
     * @param trainingJobId the continuous-training job's id, or null when it does not run
     * @param precision     what the encode job's models compute in, or null when not known
     */
    public void writeServiceFile(PipelineStack pipeline, Dashboard dashboard, String jobId, EncodeJobSettings settings,
                          String servingVersion, String trainingJobId, Precision.Choice precision) {
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("kafka", pipeline.kafka().bootstrapServers());
        // the file's path, never its passwords: clients of this service read it themselves
        service.put(KAFKA_CONFIG_FILE, pipeline.kafkaConfigFile().map(Path::toString).orElse(null));
        service.put("s3Endpoint", pipeline.s3().endpoint());
        service.put("bucket", pipeline.s3().bucket());
        service.put("flinkRest", pipeline.flinkRest());
        service.put("dashboard", dashboard == null ? null : dashboard.url().toString());
        service.put("jobId", jobId);
        service.put("model", settings.model().location());
        service.put("servingVersion", servingVersion);
        service.put("consumerGroup", settings.consumerGroup());
        service.put(MODEL_SIGNATURES, settings.trustedKeys().describe());
        service.put("trainingJobId", trainingJobId);
        if (precision != null) {
            service.putAll(precision(precision));
        }
        // who wrote it, so that a client tells a dead service's file from a live one's
        service.put("pid", ProcessHandle.current().pid());
        service.put("pidStartedAt", ProcessHandle.current().info().startInstant().map(Object::toString).orElse(null));
        try {
            Files.createDirectories(stateDir);
            if (pipeline.localObjectFolder().isPresent()) {
                // The embedded store's own throwaway key, so that 'ingest' can upload large files to it.
                service.put("s3CredentialsFile", writeCredentials(pipeline).toString());
            }
            Files.writeString(serviceFile(), JSON.writeValueAsString(service));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + serviceFile(), e);
        }
    }

    /** The {@link #PRECISION} and {@link #PRECISION_REASON} fields of {@code choice}, as service.json holds them. */
    public static Map<String, Object> precision(Precision.Choice choice) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(PRECISION, choice.used().optionValue());
        fields.put(PRECISION_REASON, choice.reason());
        return fields;
    }

    private Path writeCredentials(PipelineStack pipeline) throws IOException {
        Path file = stateDir.resolve("service").resolve("s3-credentials");
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pipeline.s3().accessKey() + "\n" + pipeline.s3().secretKey() + "\n");
        return file;
    }

    /**
     * The running service's {@code service.json}; fails with what to do when none runs, also when the file is a dead
     * service's (killed before it could delete it): its pid is gone (or is another process now), or, for a file
     * without a pid, nobody holds the state folder's lock.
     */
    /** The Kafka client properties file the running service was started with; null when none. */
    static Path kafkaConfigFile(JsonNode service) {
        return service.hasNonNull(KAFKA_CONFIG_FILE) ? Path.of(service.get(KAFKA_CONFIG_FILE).asText()) : null;
    }

    public static JsonNode read(Path stateDir) {
        Path file = stateDir.resolve(SERVICE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no service runs from " + stateDir.toAbsolutePath() + " (no " + file
                    + "): start one with 'latentflow run', or give --kafka");
        }
        JsonNode service;
        try {
            service = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (!writerAlive(service, stateDir)) {
            throw new IllegalStateException("the service is not running (stale " + file + " from pid "
                    + service.path("pid").asText("unknown") + "): start it with 'latentflow run' (it resumes where"
                    + " the dead one left off), or give --kafka");
        }
        return service;
    }

    private static boolean writerAlive(JsonNode service, Path stateDir) {
        if (!service.hasNonNull("pid")) {
            return ServiceLock.held(stateDir, ServiceLock.SERVICE);
        }
        Optional<ProcessHandle> process = ProcessHandle.of(service.get("pid").asLong());
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        String startedAt = service.path("pidStartedAt").asText(null);
        // the pid of a dead service may belong to another process by now
        return startedAt == null || process.get().info().startInstant().map(Object::toString)
                .map(startedAt::equals).orElse(true);
    }
}
