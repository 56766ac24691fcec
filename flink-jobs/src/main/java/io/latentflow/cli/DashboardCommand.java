package io.latentflow.cli;

import io.latentflow.dashboard.Dashboard;
import io.latentflow.dashboard.DashboardSettings;
import io.latentflow.infra.KafkaSettings;
import io.latentflow.infra.S3Settings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Serves the latent-statistics dashboard over a running Kafka (and, for reconstructions, S3) until Ctrl-C. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Serve the live latent-statistics dashboard over the latent-stats and drift-alerts topics.")
final class DashboardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--kafka", defaultValue = "${env:LATENTFLOW_KAFKA}",
            description = "Kafka bootstrap servers (env LATENTFLOW_KAFKA). Required: the dashboard reads what a running"
                    + " pipeline writes (./latentflow demo --keep-running serves its own dashboard).")
    String kafka;

    @Option(names = "--port", defaultValue = "8090",
            description = "Port to serve on (default ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--bind", defaultValue = DashboardSettings.LOOPBACK,
            description = "Address to listen on (default ${DEFAULT-VALUE}). The page has no login: widen with care.")
    String bind;

    @Option(names = "--s3-endpoint", defaultValue = "${env:LATENTFLOW_S3_ENDPOINT}",
            description = "S3/MinIO endpoint URL for reconstructions of the worst images (env LATENTFLOW_S3_ENDPOINT)."
                    + " Without it they are listed by id.")
    String s3Endpoint;

    @Option(names = "--s3-access-key", defaultValue = "${env:LATENTFLOW_S3_ACCESS_KEY}",
            description = "S3 access key (env LATENTFLOW_S3_ACCESS_KEY).")
    String s3AccessKey;

    @Option(names = "--s3-secret-key", defaultValue = "${env:LATENTFLOW_S3_SECRET_KEY}",
            description = "S3 secret key (env LATENTFLOW_S3_SECRET_KEY).")
    String s3SecretKey;

    @Option(names = "--s3-region", defaultValue = "${env:LATENTFLOW_S3_REGION:-us-east-1}",
            description = "S3 region (env LATENTFLOW_S3_REGION, default ${DEFAULT-VALUE}).")
    String s3Region;

    @Option(names = "--bucket", defaultValue = "${env:LATENTFLOW_BUCKET:-latentflow}",
            description = "Bucket of the latents and models (env LATENTFLOW_BUCKET, default ${DEFAULT-VALUE}).")
    String bucket;

    @Override
    public Integer call() throws InterruptedException {
        if (kafka == null || kafka.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--kafka (or LATENTFLOW_KAFKA) is required: the dashboard"
                    + " reads latent-stats and drift-alerts from a running Kafka. To see the demo's, run"
                    + " ./latentflow demo --keep-running, which serves its own dashboard.");
        }
        DashboardSettings settings;
        try {
            S3Settings s3 = s3Endpoint == null || s3Endpoint.isBlank() ? null
                    : new S3Settings(s3Endpoint, s3AccessKey, s3SecretKey, s3Region, bucket);
            settings = DashboardSettings.of(new KafkaSettings(kafka), s3, port).withBindAddress(bind);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (Dashboard dashboard = Dashboard.start(settings)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                dashboard.close();
                stopped.countDown();
            }, "dashboard-shutdown"));
            spec.commandLine().getOut().println("Dashboard: " + dashboard.url() + " (Ctrl-C to stop)");
            spec.commandLine().getOut().flush();
            stopped.await();
        }
        return 0;
    }
}
