package io.latentflow.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.cli.bench.support.BusyTaskManager;
import io.latentflow.cli.bench.support.ChaosFault;
import io.latentflow.cli.bench.support.CliProcess;
import io.latentflow.cli.bench.support.ExactlyOnceCheck;
import io.latentflow.cli.bench.support.FolderCopies;
import io.latentflow.cli.bench.support.LatentsFlow;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.ingest.ImageIds;
import io.latentflow.cli.stack.ClusterFile;
import io.latentflow.cli.stack.ClusterServices;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow bench chaos}: a jepsen-style fault run. Brings up the cluster of separate processes with HA
 * ({@code cluster up --with-kafka --with-s3 --ha}), runs the service on it ({@code run --cluster}), ingests the images
 * in chunks, and while they are encoded SIGKILLs in turn the parts named by {@code --faults}, each started again as
 * {@code cluster restart} does. Then it stops the service (its savepoint completes the last shard commits) and checks
 * with {@link ExactlyOnceCheck} that every image is in the committed latents topic and in the shard files exactly once.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Kill the busy TaskManager, the JobManager, the Kafka broker and the S3 server in turn while a"
                + " cluster with HA encodes; report each recovery, then lost, duplicated and dead-lettered images and"
                + " the p99 latency. Exit code 1 on any loss or duplicate.")
final class ChaosBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AvroCodec<LatentRecord> LATENTS = AvroCodec.of(LatentRecord.class);
    private static final Duration START = Duration.ofMinutes(4);
    private static final Duration RECOVERY = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of images to ingest.")
    Path images;

    @Option(names = "--copies", defaultValue = "1",
            description = "Ingest the folder this many times, each copy as distinct images (default ${DEFAULT-VALUE}).")
    int copies;

    @Option(names = "--faults", defaultValue = "tm-kill,jm-kill,kafka-kill,s3-outage", split = ",",
            description = "The faults, in this order (default ${DEFAULT-VALUE}; zk-kill kills ZooKeeper, the"
                    + " JobManager's high availability).")
    List<String> faults;

    @Option(names = "--chunk", defaultValue = "100", description = "Images per ingest (default ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--s3-down-seconds", defaultValue = "60",
            description = "How long the S3 server stays down in s3-outage (default ${DEFAULT-VALUE}).")
    int s3DownSeconds;

    @Option(names = "--resolution", defaultValue = "64", description = "The service's resolution (default"
            + " ${DEFAULT-VALUE}: the run is about faults, not about the encoder's speed).")
    int resolution;

    @Option(names = "--taskmanagers", defaultValue = "2", description = "TaskManager processes (default ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(names = "--slots", defaultValue = "2", description = "Slots per TaskManager (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--state-dir", description = "Where the cluster and the service keep their state and logs"
            + " (default: a new temporary folder, deleted after a run that passed).")
    Path stateDir;

    @Mixin
    JsonOptions output;

    /** One fault: when it hit (seconds since the first ingest) and how long until latents were committed again. */
    record FaultReport(String kind, long pid, double atSeconds, double recoverySeconds) {
    }

    @Override
    public Integer call() throws Exception {
        List<ChaosFault> plan = faults.stream().map(String::strip).map(ChaosFault::of).toList();
        List<Path> files = ImageFolders.files(images);
        List<List<Path>> chunks;
        Path state = stateDir != null ? stateDir : Files.createTempDirectory("latentflow-chaos-");
        boolean passed = false;
        try (FolderCopies copied = FolderCopies.of(images, copies)) {
            List<Path> all = new ArrayList<>();
            for (Path folder : copied.folders()) {
                all.addAll(ImageFolders.files(folder));
            }
            chunks = chunks(all);
            if (chunks.size() <= plan.size()) {
                throw new IllegalArgumentException(all.size() + " images in chunks of " + chunk + " make "
                        + chunks.size() + " chunk(s): " + plan.size() + " fault(s) need at least " + (plan.size() + 1)
                        + "; lower --chunk or raise --copies");
            }
            List<String> expected = new ArrayList<>();
            for (Path file : all) {
                expected.add(ImageIds.of(file.getParent().getFileName().toString(), file.getFileName(),
                        Files.readAllBytes(file)));
            }
            passed = run(state, plan, chunks, expected, files.size());
        } finally {
            if (passed && stateDir == null) {
                ModelDirectory.deleteRecursively(state);
            } else {
                progress("state and logs kept in " + state);
            }
        }
        return passed ? 0 : 1;
    }

    private boolean run(Path state, List<ChaosFault> plan, List<List<Path>> chunks, List<String> expected,
                        int folderImages) throws Exception {
        Path logs = state.resolve("chaos-log");
        Path clusterFile = ClusterFile.in(state);
        Process cluster = CliProcess.start(logs, "cluster-up", "1g", List.of("cluster", "up", "--with-kafka",
                "--with-s3", "--ha", "--taskmanagers", String.valueOf(taskManagers), "--slots", String.valueOf(slots),
                "--state-dir", state.toString()));
        Process service = null;
        try {
            await(cluster, "cluster up", logs, () -> Files.isRegularFile(clusterFile));
            ClusterFile started = ClusterFile.read(clusterFile);
            progress("cluster up: Flink " + started.rest() + ", Kafka " + started.kafka().bootstrap() + ", S3 "
                    + started.s3().endpoint());
            Path serviceFile = state.resolve("service.json");
            Process running = CliProcess.start(logs, "service", "2g", List.of("run", "--cluster", "--state-dir",
                    state.toString(), "--resolution", String.valueOf(resolution), "--no-dashboard", "--no-training",
                    "--no-sampling"));
            service = running;
            await(running, "run --cluster", logs, () -> Files.isRegularFile(serviceFile)
                    && JSON.readTree(serviceFile.toFile()).path("pid").asLong() == running.pid());
            String jobId = JSON.readTree(serviceFile.toFile()).get("jobId").asText();
            String kafka = started.kafka().bootstrap();
            progress("service runs job " + jobId);

            ClusterServices services = new ClusterServices(state.resolve("cluster"),
                    Path.of(System.getProperty("latentflow.home", ".")));
            List<FaultReport> reports = new ArrayList<>();
            long start = System.nanoTime();
            CompletableFuture<Void> recovering = CompletableFuture.completedFuture(null);
            int nextFault = 0;
            for (int i = 0; i < chunks.size(); i++) {
                ingest(chunks.get(i), state);
                progress("ingested chunk " + (i + 1) + "/" + chunks.size());
                if (nextFault < plan.size() && i == (nextFault + 1) * chunks.size() / (plan.size() + 1) - 1) {
                    recovering.join();
                    recovering = inject(plan.get(nextFault++), services, clusterFile, jobId, kafka, start, reports);
                }
            }
            recovering.join();
            List<LatentRecord> latents = awaitLatents(kafka, expected.size());
            // the stop's savepoint completes the shard commits the last checkpoint left pending
            service.destroy();
            if (!service.waitFor(3, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the service did not stop within 3 minutes; see " + logs);
            }
            service = null;
            ClusterFile now = ClusterFile.read(clusterFile);
            ExactlyOnceCheck check = ExactlyOnceCheck.of(kafka, Path.of(now.s3().dataDir()).resolve(now.s3().bucket()),
                    expected);
            boolean exact = check.noneLostOrDuplicated();
            print(folderImages, expected.size(), reports, check, p99LatencySeconds(latents), exact);
            return exact;
        } finally {
            if (service != null) {
                service.destroyForcibly().waitFor();
            }
            if (Files.exists(clusterFile)) {
                ClusterServices.stop(ClusterFile.read(clusterFile));
                Files.deleteIfExists(clusterFile);
            }
            cluster.destroy();
            cluster.waitFor(1, TimeUnit.MINUTES);
        }
    }

    /**
     * SIGKILL, the outage's wait, the part started again; the recovery (kill until the committed end of latents passes
     * where it was before the kill) is awaited in the background while the next chunks are ingested.
     */
    private CompletableFuture<Void> inject(ChaosFault fault, ClusterServices services, Path clusterFile, String jobId,
                                           String kafka, long start, List<FaultReport> reports) throws Exception {
        ClusterFile cluster = ClusterFile.read(clusterFile);
        long pid = switch (fault) {
            case TM_KILL -> BusyTaskManager.pid(cluster.rest(), jobId, cluster.taskmanagerPids());
            case JM_KILL -> cluster.jobmanagerPids().get(0);
            case KAFKA_KILL -> cluster.kafka().pid();
            case S3_OUTAGE -> cluster.s3().pid();
            case ZK_KILL -> cluster.zookeeper().pid();
        };
        long before = LatentsFlow.committedEnd(kafka);
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(
                "the " + fault.part() + " process " + pid + " is not running"));
        long killed = System.nanoTime();
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
        progress(String.format(Locale.ROOT, "%s: killed pid %d at %.1f s", fault, pid, (killed - start) / 1e9));
        if (fault == ChaosFault.S3_OUTAGE) {
            Thread.sleep(Duration.ofSeconds(s3DownSeconds).toMillis());
        }
        services.restart(cluster, fault.part()).write(clusterFile);
        return CompletableFuture.runAsync(() -> {
            try {
                long flowing = LatentsFlow.awaitGrowthPast(kafka, before, RECOVERY);
                FaultReport report = new FaultReport(fault.toString(), pid, round((killed - start) / 1e9),
                        round((flowing - killed) / 1e9));
                reports.add(report);
                progress(fault + ": latents committed again " + report.recoverySeconds() + " s after the kill");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the recovery from " + fault, e);
            }
        });
    }

    private void ingest(List<Path> files, Path state) {
        List<String> arguments = new ArrayList<>(List.of("ingest", "--state-dir", state.toString(), "--json"));
        files.forEach(file -> arguments.add(file.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine ingest = Latentflow.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        if (ingest.execute(arguments.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("ingest failed: " + err + out);
        }
    }

    private static List<LatentRecord> awaitLatents(String kafka, int count) throws Exception {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        List<LatentRecord> latents = List.of();
        while (System.nanoTime() < deadline) {
            try (CommittedTopicReader reader = new CommittedTopicReader(kafka)) {
                latents = reader.readFrom(Topics.LATENTS, Map.of(), LATENTS);
            }
            if (latents.size() >= count) {
                return latents;
            }
            Thread.sleep(2000);
        }
        return latents; // the check says which are missing
    }

    /** Ingest (the chunk's send, the records' eventTime) to encode (the latent's processingTime), 99th percentile. */
    static double p99LatencySeconds(List<LatentRecord> latents) {
        if (latents.isEmpty()) {
            return Double.NaN;
        }
        long[] millis = latents.stream().mapToLong(latent -> latent.getProcessingTime().toEpochMilli()
                - latent.getEventTime().toEpochMilli()).sorted().toArray();
        return round(millis[(int) Math.ceil(0.99 * millis.length) - 1] / 1000.0);
    }

    private List<List<Path>> chunks(List<Path> all) {
        if (chunk < 1) {
            throw new IllegalArgumentException("--chunk must be at least 1, got " + chunk);
        }
        List<List<Path>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += chunk) {
            chunks.add(all.subList(from, Math.min(all.size(), from + chunk)));
        }
        return chunks;
    }

    private void print(int folderImages, int images, List<FaultReport> reports, ExactlyOnceCheck check, double p99,
                       boolean exact) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("images", images);
            json.put("copies", copies);
            json.put("resolution", resolution);
            json.put("faults", reports);
            json.put("check", check.toJson());
            json.put("p99LatencySeconds", p99);
            json.put("exactlyOnce", exact);
            output.print(out, json);
        } else {
            out.printf(Locale.ROOT, "chaos: %d images (%d x %d) at %d px, chunks of %d%n", images, folderImages,
                    copies, resolution, chunk);
            out.printf("%-11s %8s %9s %13s%n", "fault", "pid", "at (s)", "recovery (s)");
            for (FaultReport r : reports) {
                out.printf(Locale.ROOT, "%-11s %8d %9.1f %13.1f%n", r.kind(), r.pid(), r.atSeconds(),
                        r.recoverySeconds());
            }
            out.printf(Locale.ROOT, "latents topic: %d lost, %d duplicated, %d unexpected%n",
                    check.latents().lost().size(), check.latents().duplicated().size(),
                    check.latents().unexpected().size());
            out.printf(Locale.ROOT, "shard files:   %d lost, %d duplicated, %d unexpected%n",
                    check.shards().lost().size(), check.shards().duplicated().size(),
                    check.shards().unexpected().size());
            out.printf(Locale.ROOT, "dead-lettered: %d; p99 latency (ingest to encode): %.1f s; %s%n",
                    check.deadLettered(), p99, exact ? "exactly once" : "NOT exactly once");
        }
        out.flush();
    }

    private void progress(String line) {
        spec.commandLine().getErr().println("chaos: " + line);
        spec.commandLine().getErr().flush();
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits until {@code ready}; fails at once, pointing at its output, when the process exits first. */
    private static void await(Process process, String what, Path logs, Condition ready) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue() + "; see " + logs);
            }
            if (ready.holds()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(what + " was not ready within " + START + "; see " + logs);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
