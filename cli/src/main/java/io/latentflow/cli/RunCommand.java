package io.latentflow.cli;

import io.latentflow.dashboard.Dashboard;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.training.ContinuousTrainingJob;
import io.latentflow.model.ServingModel;
import java.nio.file.Files;
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
 * nothing encoded twice. The job follows the model registry: a promoted version is swapped in without a restart.
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

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--no-sampling", description = "Do not sample images into training-samples/ for fine-tuning.")
    boolean noSampling;

    @Mixin
    TrainingOptions training;

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
            EncodeJobSettings settings = serviceSettings(pipeline, encode, monitor, sampling, !noSampling);
            Optional<String> savepoint = state.lastSavepoint();
            JobClient job = start(pipeline, settings, savepoint);
            JobClient trainer = training.off ? null : startTraining(pipeline, settings, state);
            String version;
            try (ServingModel model = settings.model().load()) {
                version = model.version();
            }
            state.writeServiceFile(pipeline, dashboard, job.getJobID().toString(), settings, version,
                    trainer == null ? null : trainer.getJobID().toString());
            say("latentflow service: job " + job.getJobID() + (savepoint.map(p -> " resumed from " + p).orElse(""))
                    + "\n  " + pipeline.describe()
                    + (trainer != null ? "\n  continuous-training job " + trainer.getJobID()
                    + (training.autoFinetune ? " (fine-tunes on CRITICAL drift, --auto-finetune)" : "") : "")
                    + (dashboard != null ? "\n  dashboard " + dashboard.url() : "")
                    + "\n  service file " + state.serviceFile() + "\n  Ctrl-C or SIGTERM stops it with a savepoint");
            stop.await();
            if (trainer != null) {
                say("stopping the continuous-training job with a savepoint ...");
                state.rememberSavepoint(ServiceState.TRAINING_JOB, stopWithSavepoint(trainer, state));
            }
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

    /**
     * The encode job as the service runs it: unbounded, with the drift monitor and training sampling, following the
     * registry (--model serves until the registry promotes a version; then each image goes to the version promoted as
     * of its timestamp, swapped in the running job).
     */
    static EncodeJobSettings serviceSettings(PipelineStack pipeline, EncodeOptions encode, MonitorOptions monitor,
                                             SamplingOptions sampling, boolean sample) {
        return sampling.applyTo(monitor.applyTo(encode.settings(pipeline, false).toBuilder().followRegistry(true)
                .build()), sample);
    }

    /** The continuous-training job, from its last savepoint (a request it was running is run again). */
    private JobClient startTraining(PipelineStack pipeline, EncodeJobSettings settings, ServiceState state)
            throws Exception {
        Configuration overrides = new Configuration();
        state.lastSavepoint(ServiceState.TRAINING_JOB).ifPresent(path ->
                overrides.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
        return new ContinuousTrainingJob(pipeline.kafka(), pipeline.s3(),
                training.settings(settings.resolution(), state.trainingDirectory()), training.auto())
                .start(pipeline.newEnvironment(overrides));
    }

    private static String stopWithSavepoint(JobClient job, ServiceState state) throws Exception {
        return job.stopWithSavepoint(false, state.savepointDirectory().toUri().toString(),
                SavepointFormatType.CANONICAL).get(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
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

    private void say(String text) {
        spec.commandLine().getOut().println(text);
        spec.commandLine().getOut().flush();
    }
}
