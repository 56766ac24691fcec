package io.latentflow.cli.bench.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.infra.StandaloneFlinkCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The TaskManager that runs a job's encoder ({@code LatentEncoder}), asked of Flink's REST: the one whose death costs
 * the most, since the encoder holds the model and the batch in flight.
 */
public final class BusyTaskManager {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENCODER = "LatentEncoder";

    private BusyTaskManager() {
    }

    /** The pid, among the cluster's {@code taskmanagerPids} (in start order), of the TaskManager running the encoder. */
    public static long pid(String rest, String jobId, List<Long> taskManagerPids) throws IOException,
            InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (JsonNode vertex : get(http, rest + "/jobs/" + jobId).get("vertices")) {
            if (!vertex.get("name").asText().contains(ENCODER)) {
                continue;
            }
            JsonNode placed = get(http, rest + "/jobs/" + jobId + "/vertices/" + vertex.get("id").asText()
                    + "/taskmanagers");
            for (JsonNode taskManager : placed.get("taskmanagers")) {
                String id = taskManager.get("taskmanager-id").asText();
                for (int index = 0; index < taskManagerPids.size(); index++) {
                    if (StandaloneFlinkCluster.taskManagerResourceId(index).equals(id)) {
                        return taskManagerPids.get(index);
                    }
                }
            }
        }
        throw new IllegalStateException("no TaskManager of " + rest + " runs the " + ENCODER + " of job " + jobId
                + ": is the job running?");
    }

    private static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
