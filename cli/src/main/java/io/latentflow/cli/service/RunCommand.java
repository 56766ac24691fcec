package io.latentflow.cli.service;

import io.latentflow.cli.common.ContinuousTrainingOptions;
import io.latentflow.cli.common.EncodeJobOptions;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.MonitorOptions;
import io.latentflow.cli.common.PrecisionOptions;
import io.latentflow.cli.common.SamplingOptions;
import io.latentflow.cli.common.UntilInterrupted;
import io.latentflow.cli.stack.ClusterFile;
import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.cli.stack.KilledRun;
import io.latentflow.cli.stack.RestorePoint;
import io.latentflow.cli.stack.ServiceDashboard;
import io.latentflow.cli.stack.ServiceEncodeSettings;
import io.latentflow.cli.stack.ServiceLock;
import io.latentflow.cli.stack.ServiceState;
import io.latentflow.dashboard.Dashboard;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.cli.common.SignKeyOptions;
import io.latentflow.cli.common.TrustedKeysOptions;
import io.latentflow.registry.SigningKey;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.jobs.training.ContinuousTrainingJob;
import io.latentflow.jobs.training.FineTuneSettings;
import io.latentflow.model.Precision;
import io.latentflow.model.ServingModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
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
 * nothing encoded twice. Killed instead (SIGKILL, OOM, power cut), it leaves its last completed checkpoint, and the
 * next {@code run} resumes from that. One service per state folder: it locks {@code <state-dir>/service.lock} first.
 * The job follows the model registry: a promoted version is swapped in without a restart.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the encode job as a service (unbounded, drift monitor, dashboard) until Ctrl-C or SIGTERM;"
                + " it stops with a savepoint that the next run resumes from (after a kill: from the last checkpoint)."
                + " One service per state folder. Writes <state-dir>/service.json.")
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    private static final Duration SAVEPOINT_TIMEOUT = Duration.ofSeconds(50);
    /** Exit code of options that contradict each other (1 stays for every other failure). */
    static final int REFUSED = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeJobOptions job;

    @Mixin
    MonitorOptions monitor;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--no-sampling", description = "Do not sample images into training-samples/ for fine-tuning.")
    boolean noSampling;

    @Mixin
    ContinuousTrainingOptions training;

    @Option(names = "--dashboard-port", defaultValue = "8090",
            description = "Port of the dashboard on loopback (default ${DEFAULT-VALUE}; any free port when taken).")
    int dashboardPort;

    @Option(names = "--no-dashboard", description = "Do not serve the dashboard.")
    boolean noDashboard;

    @Option(names = "--no-resume", description = "Start the encode job without state even though a savepoint or a"
            + " retained checkpoint is there (images are read from the consumer group's committed offsets).")
    boolean noResume;

    @Mixin
    TrustedKeysOptions trusted;

    @Mixin
    SignKeyOptions signKey;

    @Option(names = "--cluster", description = "Run on the local cluster's Kafka, S3 and Flink ('latentflow cluster up"
            + " --with-kafka --with-s3' on the same --state-dir; its cluster.json), instead of --kafka, --s3-* and"
            + " --flink.")
    boolean onCluster;

    @Mixin
    PrecisionOptions precision;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        // before anything starts: a precision the job's TaskManagers cannot honour is refused in one line
        Precision.Choice computesIn = precision.resolve(!onCluster && job.stack.embeddedFlink());
        TrustedKeys trustedKeys = trusted.load();
        Optional<SigningKey> signer = signKey.read();
        signer.ifPresent(trustedKeys::requireTrusted);
        if (trustedKeys.checksSignatures() && signer.isEmpty() && !training.off && training.autoFinetune) {
            // refused, not warned: the loop runs unattended, and every candidate it made would cost a fine-tune and
            // then be REJECTED by the encoders, a line in a log nobody reads
            PrintWriter err = spec.commandLine().getErr();
            err.println("latentflow run: --auto-finetune with --trusted-keys needs --sign-key KEY (a key among the"
                    + " trusted ones): its unsigned candidates would all be REJECTED; or give --no-training");
            err.flush();
            return REFUSED;
        }
        // before anything else in the folder is touched: a second service would damage the first one's broker
        try (ServiceLock lock = ServiceLock.acquire(job.stack.stateDir, ServiceLock.SERVICE, "run",
                spec.commandLine().getErr())) {
            return serve(lock, trustedKeys, computesIn);
        }
    }

    private int serve(ServiceLock lock, TrustedKeys trustedKeys, Precision.Choice computesIn) throws Exception {
        ServiceState state = new ServiceState(job.stack.stateDir.toAbsolutePath());
        ClusterFile cluster = onCluster ? cluster(job.stack.stateDir) : null;
        boolean localCheckpoints = cluster != null || flinkOnThisMachine(job.stack.flinkRest);
        Optional<RestorePoint> resume = noResume ? Optional.empty() : RestorePoint.newest(state.lastSavepoint(),
                state.savepointNotedAt(ServiceState.ENCODE_JOB),
                localCheckpoints ? Optional.of(state.checkpointDirectory()) : Optional.empty());
        if (!noResume && localCheckpoints) {
            KilledRun.leftIn(state.serviceFile()).ifPresent(killed ->
                    killed.requireCheckpointsOrResume(resume, state.checkpointDirectory()));
        }
        resume.ifPresent(point -> say("resuming from " + point.describe()));
        UntilInterrupted stop = UntilInterrupted.install();
        try (PipelineStack pipeline = cluster != null ? PipelineStack.onCluster(cluster, job.stack.jobJar)
                : PipelineStack.open(job.stack);
             Dashboard dashboard = noDashboard ? null : ServiceDashboard.start(pipeline, dashboardPort,
                     trustedKeys)) {
            if (dashboard != null) {
                lock.address("dashboard", dashboard.url().toString());
            }
            EncodeJobSettings settings = ServiceEncodeSettings.of(pipeline, job.encode, monitor, sampling, !noSampling)
                    .toBuilder().trustedKeys(trustedKeys).build();
            JobClient job = start(pipeline, settings, resume.map(RestorePoint::path),
                    localCheckpoints ? Optional.of(state.checkpointDirectory()) : Optional.empty());
            JobClient trainer = training.off ? null : startTraining(pipeline, settings, state);
            String version;
            try (ServingModel model = settings.model().load()) {
                version = model.version();
            }
            state.writeServiceFile(pipeline, dashboard, job.getJobID().toString(), settings, version,
                    trainer == null ? null : trainer.getJobID().toString(), computesIn);
            if (output.json()) {
                Map<String, Object> started = new LinkedHashMap<>();
                started.put("jobId", job.getJobID().toString());
                started.put("resumedFrom", resume.map(RestorePoint::path).orElse(null));
                started.put("stack", pipeline.describe());
                started.put("model", version);
                started.put("modelSignatures", trustedKeys.describe());
                started.putAll(ServiceState.precision(computesIn));
                started.put("trainingJobId", trainer == null ? null : trainer.getJobID().toString());
                started.put("autoFinetune", trainer != null && training.autoFinetune);
                started.put("dashboard", dashboard == null ? null : dashboard.url().toString());
                started.put("serviceFile", state.serviceFile().toString());
                started.put("checkpoints", localCheckpoints ? state.checkpointDirectory().toString() : null);
                output.print(spec, started);
            }
            say("latentflow service: job " + job.getJobID() + (resume.map(p -> " resumed from " + p.path()).orElse(""))
                    + "\n  " + pipeline.describe() + "\n  model signatures: " + trustedKeys.describe()
                    + "\n  precision " + computesIn.line()
                    + (trainer != null ? "\n  continuous-training job " + trainer.getJobID()
                    + (training.autoFinetune ? " (fine-tunes on " + training.trigger() + " drift alerts, --auto-finetune)" : "")
                    + candidateSignatures(trustedKeys) : "")
                    + (dashboard != null ? "\n  dashboard " + dashboard.url() : "")
                    + "\n  service file " + state.serviceFile() + "\n  Ctrl-C or SIGTERM stops it with a savepoint"
                    + (localCheckpoints ? "; after a kill the next run resumes from the last checkpoint in "
                    + state.checkpointDirectory() : ""));
            stop.await();
            if (trainer != null) {
                say("stopping the continuous-training job with a savepoint ...");
                state.rememberSavepoint(ServiceState.TRAINING_JOB, stopWithSavepoint(trainer, state));
            }
            say("stopping the encode job with a savepoint ...");
            String path;
            try {
                path = job.stopWithSavepoint(false, state.savepointDirectory().toUri().toString(),
                        SavepointFormatType.CANONICAL).get(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                // e.g. a stop while the job was still restoring: its tasks cannot take a savepoint yet. The JVM may
                // halt before the error is reported, so say here what the user needs to know.
                say("the savepoint failed (" + e.getMessage() + "); "
                        + (localCheckpoints ? "the next run resumes from the last checkpoint in "
                        + state.checkpointDirectory() : "the next run resumes from the last savepoint"));
                throw e;
            }
            state.rememberSavepoint(path);
            if (localCheckpoints) {
                state.forgetCheckpoints();
            }
            say("stopped; savepoint " + path + " (the next run resumes from it)");
            return 0;
        } finally {
            Files.deleteIfExists(state.serviceFile());
            stop.released();
        }
    }

    private static ClusterFile cluster(Path stateDir) throws java.io.IOException {
        Path file = ClusterFile.in(stateDir);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--cluster: no cluster runs from " + stateDir + " (no " + file + "):"
                    + " start one with 'latentflow cluster up --with-kafka --with-s3 --state-dir " + stateDir + "'");
        }
        return ClusterFile.read(file);
    }

    /**
     * Whether the job's checkpoints can be kept in the state folder: Flink embedded, or a cluster on loopback ('cluster
     * up'). A remote cluster checkpoints where it is configured to, and the service resumes from savepoints only.
     */
    private static boolean flinkOnThisMachine(String flinkRest) {
        if (flinkRest == null || flinkRest.isBlank()) {
            return true;
        }
        String host = java.net.URI.create(flinkRest.contains("://") ? flinkRest : "http://" + flinkRest).getHost();
        return "127.0.0.1".equals(host) || "localhost".equals(host);
    }

    /** The continuous-training job, from its last savepoint (a request it was running is run again). */
    private JobClient startTraining(PipelineStack pipeline, EncodeJobSettings settings, ServiceState state)
            throws Exception {
        Configuration overrides = new Configuration();
        state.lastSavepoint(ServiceState.TRAINING_JOB).ifPresent(path ->
                overrides.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
        FineTuneSettings fineTunes = training.settings(settings.resolution(), state.trainingDirectory());
        return new ContinuousTrainingJob(pipeline.kafka(), pipeline.s3(),
                signKey.file == null ? fineTunes : fineTunes.withSignKey(signKey.file), training.auto())
                .start(pipeline.newEnvironment(overrides));
    }

    /**
     * How the continuous-training job's candidates are signed, for the start banner: a warning when the service
     * checks signatures and the candidates are unsigned (without --auto-finetune they come only from requests made by
     * hand, and the person asking finds the candidate REJECTED in 'models list').
     */
    private String candidateSignatures(TrustedKeys trustedKeys) {
        if (signKey.file != null) {
            return "; candidates signed with " + signKey.file.getFileName();
        }
        return trustedKeys.checksSignatures() ? "; WARNING: candidates are unsigned (no --sign-key), so these trusted"
                + " keys REJECT every one of them" : "";
    }

    private static String stopWithSavepoint(JobClient job, ServiceState state) throws Exception {
        return job.stopWithSavepoint(false, state.savepointDirectory().toUri().toString(),
                SavepointFormatType.CANONICAL).get(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static JobClient start(PipelineStack pipeline, EncodeJobSettings settings, Optional<String> restorePath,
                                   Optional<Path> checkpoints) throws Exception {
        Configuration overrides = new Configuration();
        // The executor takes the restore path from the configuration (a StreamGraph's own setting is overwritten).
        restorePath.ifPresent(path -> {
            LOG.info("Resuming the encode job from {}", path);
            overrides.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
        });
        checkpoints.ifPresent(folder -> {
            // kept when the job fails or its process is killed: the next run resumes from the last one
            overrides.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, folder.toUri().toString());
            overrides.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        });
        return EncodeJob.onKafka(settings).start(pipeline.newEnvironment(overrides));
    }

    /** A line for the person running the service: on stderr beside --json, so stdout is the one JSON object. */
    private void say(String text) {
        PrintWriter out = output.json() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        out.println(text);
        out.flush();
    }
}
