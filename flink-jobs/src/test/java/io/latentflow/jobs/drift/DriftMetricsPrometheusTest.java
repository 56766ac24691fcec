package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedFlink;
import io.latentflow.jobs.encode.EncodedLatent;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift gauges as Prometheus scrapes them from the embedded cluster's reporter while a monitored job runs: this
 * is where the metric names the Grafana dashboard queries come from.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DriftMetricsPrometheusTest {

    @TempDir
    Path state;

    @Test
    void perChannelAndDriftScoreGaugesAreServedWhileTheJobRuns() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        System.setProperty(EmbeddedFlink.PROMETHEUS_PORT_PROPERTY, String.valueOf(port));
        try (EmbeddedFlink flink = EmbeddedFlink.start(state, 2)) {
            StreamExecutionEnvironment environment = flink.environment();
            environment.setParallelism(1);
            DataGeneratorSource<EncodedLatent> latents = new DataGeneratorSource<>(new Synthetic(), Long.MAX_VALUE,
                    RateLimiterStrategy.perSecond(100), TypeInformation.of(EncodedLatent.class));
            new DriftMonitor(DriftMonitorSettings.of(SyntheticLatents.profile())).attach(
                    environment.fromSource(latents, WatermarkStrategy.<EncodedLatent>forMonotonousTimestamps()
                            .withTimestampAssigner((latent, t) -> latent.image.eventTime), "synthetic latents"),
                    new DiscardingSink<>(), new DiscardingSink<>());
            JobClient job = environment.executeAsync("drift-metrics-test");
            try {
                String metrics = scrapeUntil(port, "latentDrift_model_driftScore", "latentDrift_model_severity");
                List<String> drift = metrics.lines().filter(l -> l.contains("latentDrift") && !l.startsWith("#"))
                        .toList();
                drift.forEach(System.out::println);
                assertThat(drift).anySatisfy(l -> assertThat(l)
                        .startsWith("flink_taskmanager_job_task_operator_latentDrift_model_channel_mean{")
                        // the reporter replaces characters other than letters, digits and _ in label values
                        .contains("model=\"synthetic_f8c4\"", "channel=\"3\"", "operator_name=\"LatentStatistics\""));
                assertThat(drift).anySatisfy(l -> assertThat(l)
                        .startsWith("flink_taskmanager_job_task_operator_latentDrift_model_channel_std{"));
                assertThat(drift).anySatisfy(l -> assertThat(l)
                        .startsWith("flink_taskmanager_job_task_operator_latentDrift_model_channel_fractionOutsideUnit{"));
                assertThat(drift).anySatisfy(l -> assertThat(l)
                        .startsWith("flink_taskmanager_job_task_operator_latentDrift_model_driftScore{"));
                assertThat(drift).anySatisfy(l -> assertThat(l)
                        .startsWith("flink_taskmanager_job_task_operator_latentDrift_model_severity{"));
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        } finally {
            System.clearProperty(EmbeddedFlink.PROMETHEUS_PORT_PROPERTY);
        }
    }

    private static String scrapeUntil(int port, String... names) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        String body = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                body = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
                String text = body;
                if (List.of(names).stream().allMatch(text::contains)) {
                    return body;
                }
            } catch (java.io.IOException notYet) {
                // the reporter starts with the task manager
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus endpoint never showed " + List.of(names) + "; last scrape:\n" + body);
    }

    /** Latents with event times 1.875 s apart, so windows close every 32 of them. */
    private static final class Synthetic implements GeneratorFunction<Long, EncodedLatent> {
        @Override
        public EncodedLatent map(Long index) {
            return SyntheticLatents.latents(1, index * 1875, 1, new double[4], index).get(0);
        }
    }
}
