package io.latentflow.cli.service;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.cli.ingest.IngestFile;
import io.latentflow.cli.ingest.IngestInputs;
import io.latentflow.cli.ingest.IngestLedger;
import io.latentflow.cli.ingest.SettledFiles;
import io.latentflow.cli.stack.ServiceConnections;
import io.latentflow.connections.S3Settings;
import io.latentflow.schemas.Topics;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code latentflow ingest PATH...}: streams image files into the images topic, accounting for every one. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Send image files (files, folders recursively in name order, webdataset .tar shards such as"
                + " img2dataset writes) to the images topic and wait for every acknowledgement. A caption beside an"
                + " image (<name>.txt or <name>.caption, a shard sample's .txt) and its metadata (<name>.json) travel"
                + " with it; inputs that are not images are listed with the reason and not sent. Files too large to inline are uploaded to object storage and sent by reference."
                + " A file that cannot be sent is reported by name with the reason, and the exit code is 1."
                + " Sent files are remembered in <state-dir>/ingest/ledger.jsonl and not sent again unless they change"
                + " (--resend sends them all).")
public final class IngestCommand implements Callable<Integer> {

    private static final Duration WATCH_POLL = Duration.ofMillis(500);
    /** A file that failed (the broker down, the store full) is tried again after this long. */
    private static final Duration WATCH_RETRY = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Image files, folders or webdataset .tar shards,"
            + " local or s3://bucket/key.tar (read from the --s3-endpoint store).")
    List<String> inputs;

    /** The local ones of {@link #inputs}. */
    private List<Path> paths;

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

    @Option(names = "--watch", description = "Keep sending files as they appear in the given folders, until Ctrl-C:"
            + " each once it is complete (see --settle).")
    boolean watch;

    @Option(names = "--settle", defaultValue = "PT2S", paramLabel = "DURATION", converter = Seconds.class,
            description = "With --watch, a file is sent once its size and modification time have not changed for this"
                    + " long, in seconds or ISO-8601 (default 2 s). Names of files being written (.part, .tmp,"
                    + " .crdownload, dotfiles) are never sent; rename them when they are complete.")
    Duration settle;

    @Option(names = "--resend", description = "Send every file again, even those the ledger has as sent.")
    boolean resend;

    @Option(names = "--move-to", paramLabel = "DIR",
            description = "Move each file into DIR (at its path relative to its folder) once the broker acknowledged"
                    + " it.")
    Path moveTo;

    @Option(names = "--no-recursive", description = "Read only the files at the top of each folder; its subfolders"
            + " are listed as not read.")
    boolean noRecursive;

    @Option(names = "--labels-from-folders", description = "Label each image by the first-level subfolder of its"
            + " folder it is in (the ImageFolder layout: DIR/cat/1.jpg is labelled cat); the label travels into its"
            + " latent.")
    boolean labelsFromFolders;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        ServiceConnections connections = service.resolve();
        S3Settings storage = connections.s3().orElse(null);
        ImageIngest.Limits limits = new ImageIngest.Limits(maxInlineBytes, maxUploadBytes);
        paths = inputs.stream().filter(input -> !isObject(input)).map(Path::of).toList();
        List<URI> objects = inputs.stream().filter(IngestCommand::isObject).map(URI::create).toList();
        if (watch && !objects.isEmpty()) {
            throw new IllegalArgumentException("--watch watches local folders, and " + objects.get(0) + " is not one");
        }
        if (!objects.isEmpty() && storage == null) {
            throw new IllegalArgumentException(objects.get(0) + " is in object storage: give --s3-endpoint,"
                    + " --s3-access-key and --s3-secret-key-file (or the state folder of a running service)");
        }
        if (watch) {
            for (Path path : paths) {
                if (!Files.isDirectory(path)) {
                    throw new IllegalArgumentException("--watch watches folders, and " + path + " is not one");
                }
            }
        }
        try (IngestLedger ledger = IngestLedger.open(service.stateDir.resolve("ingest").resolve("ledger.jsonl"));
             ImageIngest ingest = new ImageIngest(connections.kafka(), Topics.IMAGES, storage, limits,
                     new ImageIngest.Bookkeeping(ledger, resend, moveTo))) {
            if (!watch) {
                ImageIngest.Report report = ingest.send(paths, new IngestInputs(!noRecursive, labelsFromFolders),
                        source, Instant.now(), Duration.ZERO);
                if (!objects.isEmpty()) {
                    report = report.plus(ingest.sendObjects(objects, source, Instant.now(), Duration.ZERO));
                }
                print(report);
                return report.failed().isEmpty() ? 0 : 1;
            }
            watch(ingest);
            return 0;
        }
    }

    /** Sends each file of the folders once it is complete, until the JVM is asked to stop. */
    private void watch(ImageIngest ingest) throws Exception {
        SettledFiles folders = new SettledFiles(paths, settle, Instant::now);
        spec.commandLine().getErr().println("watching " + paths + " for complete files (settle " + settle.toMillis()
                + " ms; Ctrl-C stops)");
        boolean first = true;
        while (!Thread.currentThread().isInterrupted()) {
            List<IngestFile> ready = folders.poll();
            if (!ready.isEmpty() || first) {
                ImageIngest.Report report = ingest.sendFiles(ready, source, Instant.now(), Duration.ZERO);
                report.failed().forEach(failure -> folders.retryLater(Path.of(failure.file()), WATCH_RETRY));
                if (first || report.sent() > 0 || !report.failed().isEmpty()) {
                    print(report);
                }
                first = false;
            }
            try {
                Thread.sleep(WATCH_POLL.toMillis());
            } catch (InterruptedException e) {
                return; // asked to stop: what was acknowledged is in the ledger
            }
        }
    }

    private void print(ImageIngest.Report report) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("sent", report.sent());
            object.put("skipped", report.skipped());
            object.put("newVersions", report.newVersions());
            object.put("failed", report.failed());
            object.put("setAside", report.setAside());
            object.put("bytes", report.bytes());
            output.print(out, object);
        } else {
            out.printf("sent %d image(s), %d bytes; %d already sent (skipped; --resend sends them again); %d failed;"
                    + " %d not images (not sent)%n", report.sent(), report.bytes(), report.skipped(),
                    report.failed().size(), report.setAside().size());
            report.newVersions().forEach(f -> out.printf("  %s: changed since it was sent, sent again as a new version"
                    + " of that image%n", f));
            report.failed().forEach(f -> out.printf("  %s: %s%n", f.file(), f.reason()));
            report.setAside().forEach(f -> out.printf("  %s: not sent: %s%n", f.file(), f.reason()));
        }
        out.flush();
    }

    private static boolean isObject(String input) {
        return input.startsWith("s3://");
    }

    /** A duration in seconds ("2", "0.5") or ISO-8601 ("PT2S"). */
    static final class Seconds implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return value.toUpperCase(java.util.Locale.ROOT).startsWith("P") ? Duration.parse(value)
                        : Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: give seconds (2,"
                        + " 0.5) or ISO-8601 (PT2S)");
            }
        }
    }
}
