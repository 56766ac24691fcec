package io.latentflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.dashboard.Dashboard;
import io.latentflow.jobs.encode.EncodeJobSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the running service leaves in its state folder: {@code service.json} (where its parts are, for {@code ingest},
 * {@code status} and people) while it runs, and the savepoint of its last stop, which the next run resumes from.
 */
final class ServiceState {

    static final String SERVICE_FILE = "service.json";
    static final String ENCODE_JOB = "encode";
    static final String TRAINING_JOB = "training";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path stateDir;

    ServiceState(Path stateDir) {
        this.stateDir = stateDir;
    }

    Path serviceFile() {
        return stateDir.resolve(SERVICE_FILE);
    }

    /** Where model versions downloaded from the registry are kept. */
    Path modelsDirectory() {
        return stateDir.resolve("service").resolve("models");
    }

    /** Where the continuous-training job keeps the files of its runs. */
    Path trainingDirectory() {
        return stateDir.resolve("service").resolve("training");
    }

    Path savepointDirectory() {
        return stateDir.resolve("service").resolve("savepoints");
    }

    /** The savepoint the last run stopped the encode job with, if any. */
    Optional<String> lastSavepoint() throws IOException {
        return lastSavepoint(ENCODE_JOB);
    }

    /** The savepoint the last run stopped the job {@code job} ({@link #ENCODE_JOB}, {@link #TRAINING_JOB}) with. */
    Optional<String> lastSavepoint(String job) throws IOException {
        Path file = savepointFile(job);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String path = Files.readString(file).strip();
        return path.isEmpty() ? Optional.empty() : Optional.of(path);
    }

    void rememberSavepoint(String path) throws IOException {
        rememberSavepoint(ENCODE_JOB, path);
    }

    void rememberSavepoint(String job, String path) throws IOException {
        Path file = savepointFile(job);
        Files.createDirectories(file.getParent());
        Files.writeString(file, path + "\n");
    }

    private Path savepointFile(String job) {
        return stateDir.resolve("service").resolve(ENCODE_JOB.equals(job) ? "last-savepoint" : "last-savepoint-" + job);
    }

    void writeServiceFile(PipelineStack pipeline, Dashboard dashboard, String jobId, EncodeJobSettings settings,
                          String servingVersion) {
        writeServiceFile(pipeline, dashboard, jobId, settings, servingVersion, null);
    }

    /** @param trainingJobId the continuous-training job's id, or null when it does not run */
    void writeServiceFile(PipelineStack pipeline, Dashboard dashboard, String jobId, EncodeJobSettings settings,
                          String servingVersion, String trainingJobId) {
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("kafka", pipeline.kafka().bootstrapServers());
        service.put("s3Endpoint", pipeline.s3().endpoint());
        service.put("bucket", pipeline.s3().bucket());
        service.put("flinkRest", pipeline.flinkRest());
        service.put("dashboard", dashboard == null ? null : dashboard.url().toString());
        service.put("jobId", jobId);
        service.put("model", settings.model().location());
        service.put("servingVersion", servingVersion);
        service.put("consumerGroup", settings.consumerGroup());
        service.put("trainingJobId", trainingJobId);
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

    private Path writeCredentials(PipelineStack pipeline) throws IOException {
        Path file = stateDir.resolve("service").resolve("s3-credentials");
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pipeline.s3().accessKey() + "\n" + pipeline.s3().secretKey() + "\n");
        return file;
    }

    /** The running service's {@code service.json}; fails with what to do when none runs. */
    static JsonNode read(Path stateDir) {
        Path file = stateDir.resolve(SERVICE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no service runs from " + stateDir.toAbsolutePath() + " (no " + file
                    + "): start one with 'latentflow run', or give --kafka");
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
