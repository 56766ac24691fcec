package io.latentflow.cli;

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
final class DemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stack;

    @Mixin
    EncodeOptions encode;

    @Mixin
    MonitorOptions monitor;

    @Option(names = "--images", paramLabel = "DIR",
            description = "A folder whose every file is streamed as an image; repeat for several folders, streamed in"
                    + " order. Default: the shipped sample photos.")
    List<Path> imageFolders;

    @Option(names = "--event-step", defaultValue = "PT1.875S",
            description = "Event time between consecutive images, ISO-8601 (default ${DEFAULT-VALUE}: 32 per minute).")
    Duration eventStep;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Path> folders = imageFolders == null || imageFolders.isEmpty()
                ? List.of(Home.samples().resolve("photos")) : imageFolders;
        folders.forEach(ImageFolderProducer::regularFilesSorted); // a wrong folder fails before anything starts
        try (PipelineStack pipeline = PipelineStack.open(stack)) {
            LOG.info("Stack: {}", pipeline.describe());
            EncodeRun run = new EncodeRun(pipeline, monitor.applyTo(encode.settings(pipeline)));
            EncodeRun.Outcome outcome = run.run(folders, Instant.now().minus(Duration.ofHours(1)), eventStep);
            DemoSummary summary = outcome.summary(pipeline.localObjectFolder().map(Path::toString).orElse(null));
            spec.commandLine().getOut().println(json ? summary.toJson() : summary.toHuman());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
