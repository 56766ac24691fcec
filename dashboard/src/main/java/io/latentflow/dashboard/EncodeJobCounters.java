package io.latentflow.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Counters of the running encode job, read from Flink's REST API: what the topics cannot tell, such as the records
 * the job dropped as duplicates of an image id. {@code status} and the dashboard both read them through here.
 */
public final class EncodeJobCounters {

    /** The encode job's name (EncodeJob.JOB_NAME; this module does not depend on the jobs). */
    static final String ENCODE_JOB_NAME = "latentflow-encode";
    /** The dedup operator's name in the graph and its counter (DropDuplicateImages). */
    static final String DEDUP_OPERATOR = "DropDuplicateImages";
    static final String DUPLICATES_DROPPED = "duplicatesDropped";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String rest;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** @param rest Flink's REST address, e.g. {@code http://127.0.0.1:8081} */
    public EncodeJobCounters(String rest) {
        this.rest = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    }

    /**
     * Records job {@code jobId} dropped as duplicates, summed over the dedup operator's subtasks (the count is
     * checkpointed, so it covers restores too); empty when the job has no dedup operator or has not reported it yet.
     */
    public Optional<Long> duplicatesDropped(String jobId) throws IOException, InterruptedException {
        String metric = DEDUP_OPERATOR + "." + DUPLICATES_DROPPED;
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            if (!vertex.path("name").asText().contains(DEDUP_OPERATOR)) {
                continue;
            }
            JsonNode values = get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText()
                    + "/subtasks/metrics?get=" + URLEncoder.encode(metric, StandardCharsets.UTF_8) + "&agg=sum");
            for (JsonNode value : values) {
                if (value.has("sum")) {
                    return Optional.of(Math.round(value.path("sum").asDouble()));
                }
            }
        }
        return Optional.empty();
    }

    /** The same, of the running encode job (the one started last); empty when none runs. */
    public Optional<Long> duplicatesDroppedByTheRunningJob() throws IOException, InterruptedException {
        String running = null;
        long startedLast = Long.MIN_VALUE;
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (ENCODE_JOB_NAME.equals(job.path("name").asText()) && "RUNNING".equals(job.path("state").asText())
                    && job.path("start-time").asLong() > startedLast) {
                running = job.path("jid").asText();
                startedLast = job.path("start-time").asLong();
            }
        }
        return running == null ? Optional.empty() : duplicatesDropped(running);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(rest + path)).timeout(TIMEOUT)
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(rest + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
