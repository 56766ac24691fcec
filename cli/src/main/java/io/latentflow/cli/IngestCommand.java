package io.latentflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.connections.S3Settings;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.schemas.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latentflow ingest PATH...}: streams image files into the images topic, accounting for every one. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Send image files (files, or folders in name order) to the images topic and wait for every"
                + " acknowledgement. Files too large to inline are uploaded to object storage and sent by reference."
                + " A file that cannot be sent is reported by name with the reason, and the exit code is 1.")
final class IngestCommand implements Callable<Integer> {

    private static final Duration WATCH_POLL = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Image files or folders.")
    List<Path> paths;

    @Mixin
    ServiceOptions service;

    @Option(names = "--source", description = "The records' source (default: each file's folder name).")
    String source;

    @Option(names = "--max-inline-bytes", defaultValue = "524288",
            description = "Larger files go to object storage and are sent by reference; keep it under the broker's"
                    + " message.max.bytes (default ${DEFAULT-VALUE}).")
    int maxInlineBytes;

    @Option(names = "--max-upload-bytes", defaultValue = "268435456",
            description = "Larger files are not sent at all (default ${DEFAULT-VALUE}).")
    long maxUploadBytes;

    @Option(names = "--watch", description = "Keep sending files as they appear in the given folders, until Ctrl-C.")
    boolean watch;

    @Option(names = "--json", description = "Print one JSON object: sent, failed [{file, reason}], bytes.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ServiceConnections connections = service.resolve();
        String bootstrap = connections.kafka().bootstrapServers();
        S3Settings storage = connections.s3().orElse(null);
        ImageIngest.Limits limits = new ImageIngest.Limits(maxInlineBytes, maxUploadBytes);
        try (ImageIngest ingest = new ImageIngest(bootstrap, Topics.IMAGES, storage, limits)) {
            ImageIngest.Report report = ingest.send(paths, source, Instant.now(), Duration.ZERO);
            print(report);
            if (!watch) {
                return report.failed().isEmpty() ? 0 : 1;
            }
            watch(ingest);
            return 0;
        }
    }

    /** Sends what appears in the folders after the first pass, by name, until the JVM is asked to stop. */
    private void watch(ImageIngest ingest) throws Exception {
        Set<Path> seen = new HashSet<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                seen.addAll(ImageFolders.files(path));
            }
        }
        spec.commandLine().getErr().println("watching " + paths + " for new files (Ctrl-C stops)");
        while (!Thread.currentThread().isInterrupted()) {
            Thread.sleep(WATCH_POLL.toMillis());
            List<Path> fresh = new ArrayList<>();
            for (Path path : paths) {
                if (Files.isDirectory(path)) {
                    ImageFolders.files(path).stream().filter(seen::add).forEach(fresh::add);
                }
            }
            if (!fresh.isEmpty()) {
                print(ingest.send(fresh, source, Instant.now(), Duration.ZERO));
            }
        }
    }

    private void print(ImageIngest.Report report) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("sent", report.sent());
            object.put("failed", report.failed());
            object.put("bytes", report.bytes());
            out.println(new ObjectMapper().writeValueAsString(object));
        } else {
            out.printf("sent %d image(s), %d bytes; %d failed%n", report.sent(), report.bytes(), report.failed().size());
            report.failed().forEach(f -> out.printf("  %s: %s%n", f.file(), f.reason()));
        }
        out.flush();
    }
}
