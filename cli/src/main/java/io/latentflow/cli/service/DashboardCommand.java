package io.latentflow.cli.service;

import io.latentflow.cli.common.KafkaConfigOptions;
import io.latentflow.cli.common.S3Options;
import io.latentflow.cli.common.TrustedKeysOptions;
import io.latentflow.cli.stack.KafkaConnectionCheck;
import io.latentflow.dashboard.Dashboard;
import io.latentflow.dashboard.DashboardSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Serves the latent-statistics dashboard over a running Kafka (and, for reconstructions, S3) until Ctrl-C. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Serve the live latent-statistics dashboard over the latent-stats and drift-alerts topics.")
public final class DashboardCommand implements Callable<Integer> {

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

    @Mixin
    KafkaConfigOptions kafkaConfig = new KafkaConfigOptions();

    @Mixin
    S3Options s3 = new S3Options();

    @Mixin
    TrustedKeysOptions trusted = new TrustedKeysOptions();

    @Override
    public Integer call() throws Exception {
        if (kafka == null || kafka.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--kafka (or LATENTFLOW_KAFKA) is required: the dashboard"
                    + " reads latent-stats and drift-alerts from a running Kafka. To see the demo's, run"
                    + " ./latentflow demo --keep-running, which serves its own dashboard.");
        }
        DashboardSettings settings;
        try {
            settings = DashboardSettings.of(kafkaConfig.settings(kafka, null), s3.external().orElse(null), port)
                    .withBindAddress(bind).withTrustedKeys(trusted.load());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        KafkaConnectionCheck.verify(settings.kafka());
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
