package io.latentflow.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Grafana provisioning of {@code infra/grafana} and its wiring in {@code docker-compose.yml}, checked without
 * Docker: the files parse, every panel queries the provisioned datasource, the mounts match the provider's path, and
 * the metric names the panels query are what Flink's Prometheus reporter really exposes for the pipeline's metric
 * groups.
 */
class GrafanaProvisioningTest {

    private static final Path HOME = Path.of(System.getProperty("latentflow.home"));
    private static final Path GRAFANA = HOME.resolve("infra/grafana");
    private static final Pattern METRIC = Pattern.compile("flink_[A-Za-z0-9_:]+");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyPanelQueriesTheProvisionedPrometheus() throws Exception {
        JsonNode datasources = YAML.readTree(GRAFANA.resolve("provisioning/datasources/prometheus.yml").toFile());
        Set<String> uids = new HashSet<>();
        datasources.get("datasources").forEach(ds -> {
            assertThat(ds.get("type").asText()).isEqualTo("prometheus");
            assertThat(ds.get("url").asText()).isEqualTo("http://prometheus:9090");
            uids.add(ds.get("uid").asText());
        });
        JsonNode dashboard = JSON.readTree(GRAFANA.resolve("dashboards/latentflow.json").toFile());

        List<JsonNode> references = new ArrayList<>();
        collectDatasources(dashboard, references);
        assertThat(references).isNotEmpty().allSatisfy(reference -> {
            assertThat(reference.get("type").asText()).isEqualTo("prometheus");
            assertThat(reference.get("uid").asText()).isIn(uids);
        });
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel id %s is unique", panel.get("id")).isTrue();
            if (!panel.get("type").asText().equals("row")) {
                assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty()
                        .allSatisfy(target -> assertThat(target.get("expr").asText()).contains("flink_"));
            }
        }
        assertThat(dashboard.get("uid").asText()).isNotBlank();
    }

    @Test
    void dockerComposeMountsTheProvisioningWhereGrafanaAndTheProviderLook() throws Exception {
        JsonNode compose = YAML.readTree(HOME.resolve("docker-compose.yml").toFile());
        JsonNode grafana = compose.get("services").get("grafana");
        List<String> volumes = new ArrayList<>();
        grafana.get("volumes").forEach(v -> volumes.add(v.asText()));
        String dashboardsPath = YAML.readTree(GRAFANA.resolve("provisioning/dashboards/latentflow.yml").toFile())
                .get("providers").get(0).get("options").get("path").asText();

        assertThat(volumes).contains("./infra/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./infra/grafana/dashboards:" + dashboardsPath + ":ro");
        assertThat(Files.isRegularFile(HOME.resolve(grafana.get("environment")
                .get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText()
                .replace(dashboardsPath, "infra/grafana/dashboards")))).isTrue();
        assertThat(grafana.get("depends_on").toString()).contains("prometheus");

        JsonNode prometheus = YAML.readTree(HOME.resolve("infra/prometheus/prometheus.yml").toFile());
        String targets = prometheus.get("scrape_configs").get(0).get("static_configs").get(0).get("targets").toString();
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(compose.get("services").get(flink).get("environment").get("FLINK_PROPERTIES").asText())
                    .contains("metrics.reporter.prom.port: 9249");
            assertThat(targets).contains(flink + ":9249");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theQueriedMetricsAreWhatFlinksPrometheusReporterExposes() throws Exception {
        Set<String> queried = new TreeSet<>();
        Matcher metric = METRIC.matcher(Files.readString(GRAFANA.resolve("dashboards/latentflow.json")));
        while (metric.find()) {
            queried.add(metric.group());
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Configuration config = new Configuration();
        config.setString("metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        config.setString("metrics.reporter.prom.port", String.valueOf(port));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, config);
        env.fromSequence(0, Long.MAX_VALUE).map(new MetricsOfThePipeline()).name("metrics like the pipeline's")
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("grafana-metric-names");
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI scrape = URI.create("http://127.0.0.1:" + port + "/metrics");
            String exposed = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(() -> http.send(HttpRequest.newBuilder(scrape).build(),
                            HttpResponse.BodyHandlers.ofString()).body(),
                            body -> queried.stream().allMatch(name -> body.contains(name + "{")));
            // Label values keep only letters, digits and '_': what the panels' legends and the model variable show.
            assertThat(exposed).contains("model=\"bounded_f8c8_v2\"").contains("channel=\"3\"")
                    .contains("job_name=\"grafana_metric_names\"");
            for (String histogram : List.of("encodeBatchMillis", "batchSize")) {
                assertThat(exposed).containsPattern("flink_taskmanager_job_task_operator_" + histogram
                        + "\\{[^}]*quantile=\"0.5\"");
            }
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static void collectDatasources(JsonNode node, List<JsonNode> found) {
        if (node.isObject()) {
            JsonNode datasource = node.get("datasource");
            if (datasource != null && datasource.isObject()) {
                found.add(datasource);
            }
            node.forEach(child -> collectDatasources(child, found));
        } else if (node.isArray()) {
            node.forEach(child -> collectDatasources(child, found));
        }
    }

    /**
     * Registers metrics with the groups, names and types the pipeline's operators use: the drift monitor's
     * {@code latentDrift.model.<version>[.channel.<c>]} gauges, the encoder's meter and histogram, the micro-batcher's
     * histogram, the dedup operator's counter. What is checked is how the reporter names them, which decides what the panels must query.
     */
    private static final class MetricsOfThePipeline extends RichMapFunction<Long, Long> {

        @Override
        public void open(OpenContext context) {
            MetricGroup operator = getRuntimeContext().getMetricGroup();
            MetricGroup model = operator.addGroup("latentDrift").addGroup("model", "bounded-f8c8.v2");
            for (String name : List.of("std", "fractionOutsideUnit", "driftScore", "novelty", "severity")) {
                model.gauge(name, (Gauge<Double>) () -> 0.5);
            }
            for (String name : List.of("images", "blackHolePositions")) {
                model.gauge(name, (Gauge<Long>) () -> 32L);
            }
            for (int c = 0; c < 4; c++) {
                MetricGroup channel = model.addGroup("channel", String.valueOf(c));
                for (String name : List.of("mean", "std", "fractionOutsideUnit")) {
                    channel.gauge(name, (Gauge<Double>) () -> 0.1);
                }
            }
            operator.meter("imagesEncodedPerSecond", new MeterView(operator.counter("imagesEncoded")));
            operator.counter("duplicatesDropped").inc(2);
            operator.histogram("encodeBatchMillis", new DescriptiveStatisticsHistogram(16)).update(40);
            operator.histogram("batchSize", new DescriptiveStatisticsHistogram(16)).update(8);
        }

        @Override
        public Long map(Long value) throws InterruptedException {
            Thread.sleep(100); // an idle stream: the job only has to stay up while the reporter is scraped
            return value;
        }
    }
}
