package io.latentflow.cli;

import io.latentflow.dashboard.Dashboard;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.registry.ModelRegistry;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow run}: the live service. The encode job runs unbounded, with its drift monitor and the dashboard,
 * until Ctrl-C or SIGTERM; then it stops with a savepoint, and the next {@code run} resumes from it: nothing lost,
 * nothing encoded twice.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the encode job as a service (unbounded, drift monitor, dashboard) until Ctrl-C or SIGTERM;"
                + " it stops with a savepoint that the next run resumes from. Writes <state-dir>/service.json.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    private static final Duration SAVEPOINT_TIMEOUT = Duration.ofSeconds(50);

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stack;

    @Mixin
    EncodeOptions encode;

    @Mixin
    MonitorOptions monitor;

    @Option(names = "--dashboard-port", defaultValue = "8090",
            description = "Port of the dashboard on loopback (default ${DEFAULT-VALUE}; any free port when taken).")
    int dashboardPort;

    @Option(names = "--no-dashboard", description = "Do not serve the dashboard.")
    boolean noDashboard;

    @Override
    public Integer call() throws Exception {
        UntilInterrupted stop = UntilInterrupted.install();
        ServiceState state = new ServiceState(stack.stateDir.toAbsolutePath());
        try (PipelineStack pipeline = PipelineStack.open(stack);
             Dashboard dashboard = noDashboard ? null : DemoDashboard.start(pipeline, dashboardPort)) {
            EncodeJobSettings settings = encode.settings(pipeline, false);
            Optional<Path> promoted = encode.model.equals(ModelLocation.DEFAULT_NAME)
                    ? promotedVersion(pipeline, state) : Optional.empty();
            if (promoted.isPresent()) {
                settings = settings.toBuilder().model(ModelLocation.of(promoted.get())).build();
            }
            settings = monitor.applyTo(settings);
            Optional<String> savepoint = state.lastSavepoint();
            JobClient job = start(pipeline, settings, savepoint);
            String version;
            try (ServingModel model = settings.model().load()) {
                version = model.version();
            }
            state.writeServiceFile(pipeline, dashboard, job.getJobID().toString(), settings, version);
            say("latentflow service: job " + job.getJobID() + (savepoint.map(p -> " resumed from " + p).orElse(""))
                    + "\n  " + pipeline.describe()
                    + (dashboard != null ? "\n  dashboard " + dashboard.url() : "")
                    + "\n  service file " + state.serviceFile() + "\n  Ctrl-C or SIGTERM stops it with a savepoint");
            stop.await();
            say("stopping the encode job with a savepoint ...");
            String path = job.stopWithSavepoint(false, state.savepointDirectory().toUri().toString(),
                    SavepointFormatType.CANONICAL).get(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            state.rememberSavepoint(path);
            say("stopped; savepoint " + path + " (the next run resumes from it)");
            return 0;
        } finally {
            Files.deleteIfExists(state.serviceFile());
            stop.released();
        }
    }

    private static JobClient start(PipelineStack pipeline, EncodeJobSettings settings, Optional<String> savepoint)
            throws Exception {
        Configuration overrides = new Configuration();
        // The executor takes the restore path from the configuration (a StreamGraph's own setting is overwritten).
        savepoint.ifPresent(path -> {
            LOG.info("Resuming the encode job from savepoint {}", path);
            overrides.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
        });
        return EncodeJob.onKafka(settings).start(pipeline.newEnvironment(overrides));
    }

    /**
     * The registry's serving version (the last promoted, not rolled back), downloaded and verified, when there is one:
     * a promotion takes effect at the next start (the running job does not swap models yet).
     */
    private static Optional<Path> promotedVersion(PipelineStack pipeline, ServiceState state) throws Exception {
        try (ModelRegistry registry = new ModelRegistry(pipeline.kafka(), pipeline.s3())) {
            Optional<String> serving = registry.history().serving();
            if (serving.isEmpty()) {
                return Optional.empty();
            }
            LOG.info("Serving model version {}, promoted in the registry", serving.get());
            Path dir = state.modelsDirectory().resolve(serving.get());
            return Optional.of(Files.isDirectory(dir) ? verified(dir) : registry.download(serving.get(), dir));
        }
    }

    private static Path verified(Path dir) {
        ModelDirectory.verify(dir);
        return dir;
    }

    private void say(String text) {
        spec.commandLine().getOut().println(text);
        spec.commandLine().getOut().flush();
    }
}
