package io.latentflow.cli.demo;

import io.latentflow.cli.common.TrustedKeysOptions;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.PrecisionOptions;
import io.latentflow.model.Precision;
import io.latentflow.cli.common.EncodeJobOptions;
import io.latentflow.cli.common.Home;
import io.latentflow.cli.common.MonitorOptions;
import io.latentflow.cli.common.UntilInterrupted;
import io.latentflow.cli.ingest.IngestInputs;
import io.latentflow.cli.stack.ServiceDashboard;
import io.latentflow.cli.stack.EncodeRunSummary;
import io.latentflow.cli.stack.EncodeRun;
import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.cli.stack.ServiceLock;
import io.latentflow.dashboard.Dashboard;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job on the embedded default: starts the stack, streams image folders into Kafka, encodes
 * them with the serving model, and summarises what was committed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the encode job on the embedded stack (or on given Kafka/S3/Flink) over image folders.")
public final class DemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeJobOptions job;

    @Mixin
    MonitorOptions monitor;

    @Option(names = "--images", paramLabel = "PATH",
            description = "A folder (read recursively), an image file or a webdataset .tar shard, streamed as images"
                    + " with their captions; repeat for several, streamed in order. Default: the shipped sample"
                    + " photos.")
    List<Path> imageFolders;

    @Option(names = "--no-recursive", description = "Read only the files at the top of each --images folder.")
    boolean noRecursive;

    @Option(names = "--labels-from-folders", description = "Label each image by the first-level subfolder of its"
            + " --images folder it is in.")
    boolean labelsFromFolders;

    @Option(names = "--event-step", defaultValue = "PT1.875S",
            description = "Event time between consecutive images, ISO-8601 (default ${DEFAULT-VALUE}: 32 per minute).")
    Duration eventStep;

    @Mixin
    TrustedKeysOptions trusted;

    @Mixin
    PrecisionOptions precision;

    @Mixin
    JsonOptions output;

    @Option(names = "--dashboard-port", defaultValue = "8090",
            description = "Port of the live dashboard the demo serves on loopback (default ${DEFAULT-VALUE}; when it"
                    + " is taken, any free port; 0: any free port).")
    int dashboardPort;

    @Option(names = "--no-dashboard", description = "Do not serve the dashboard.")
    boolean noDashboard;

    @Option(names = "--keep-running",
            description = "After the summary, keep the stack and the dashboard up until Ctrl-C.")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        List<Path> folders = imageFolders == null || imageFolders.isEmpty()
                ? List.of(Home.samples().resolve("photos")) : imageFolders;
        for (Path folder : folders) { // a wrong path fails before anything starts
            if (!java.nio.file.Files.exists(folder)) {
                throw new IllegalArgumentException("--images " + folder.toAbsolutePath() + " does not exist: give a"
                        + " folder, an image file or a webdataset .tar shard");
            }
        }
        TrustedKeys trustedKeys = trusted.load();
        Precision.Choice computesIn = precision.resolve(job.stack.embeddedFlink());
        if (trustedKeys.checksSignatures() && !ModelLocation.DEFAULT_NAME.equals(job.encode.model)) {
            trustedKeys.verify(Path.of(job.encode.model)); // the shipped default is part of the program: not checked
        }
        // before anything else in the folder is touched: a second broker on the same logs would damage the first
        try (ServiceLock lock = ServiceLock.acquire(job.stack.stateDir, ServiceLock.SERVICE, "demo",
                spec.commandLine().getErr())) {
            return demo(folders, lock, trustedKeys, computesIn);
        }
    }

    private int demo(List<Path> folders, ServiceLock lock, TrustedKeys trustedKeys, Precision.Choice computesIn)
            throws Exception {
        UntilInterrupted ctrlC = keepRunning ? UntilInterrupted.install() : null;
        try (PipelineStack pipeline = PipelineStack.open(job.stack);
             Dashboard dashboard = noDashboard ? null : ServiceDashboard.start(pipeline, dashboardPort,
                     trustedKeys)) {
            LOG.info("Stack: {}; precision {}", pipeline.describe(), computesIn.line());
            if (dashboard != null) {
                lock.address("dashboard", dashboard.url().toString());
                say("Dashboard: " + dashboard.url() + (keepRunning ? " (stays up after the run until Ctrl-C)"
                        : " (while the demo runs; --keep-running keeps it up)"));
            }
            EncodeRun run = new EncodeRun(pipeline, monitor.applyTo(job.encode.settings(pipeline)));
            EncodeRun.Outcome outcome = run.run(folders, new IngestInputs(!noRecursive, labelsFromFolders),
                    windowAligned(Instant.now().minus(Duration.ofHours(1))),
                    eventStep);
            EncodeRunSummary summary = outcome.summary(pipeline.localObjectFolder().map(Path::toString).orElse(null));
            if (output.json()) {
                output.print(spec, summary);
            } else {
                spec.commandLine().getOut().println(summary.toHuman());
                spec.commandLine().getOut().flush();
            }
            if (keepRunning) {
                say("The stack" + (dashboard != null ? " and the dashboard at " + dashboard.url() : "")
                        + " stay up: Ctrl-C to stop. " + pipeline.describe());
                ctrlC.await();
            }
            return 0;
        } finally {
            if (ctrlC != null) {
                ctrlC.released();
            }
        }
    }

    /**
     * The first image's event time on a window boundary, so the first window is a whole one: a partial window of a
     * few images says little about the distribution and would be judged on them alone.
     */
    private Instant windowAligned(Instant start) {
        long window = monitor.window.toMillis();
        return Instant.ofEpochMilli(start.toEpochMilli() - Math.floorMod(start.toEpochMilli(), window));
    }

    /** The human summary's stream, or stderr beside --json so that stdout stays one JSON object. */
    private void say(String line) {
        var out = output.json() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        out.println(line);
        out.flush();
    }
}
