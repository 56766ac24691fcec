package io.latentflow.cli.bench;

import io.latentflow.cli.bench.support.BenchImages;
import io.latentflow.cli.bench.support.FolderCopies;
import io.latentflow.cli.common.EncodeOptions;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.StackOptions;
import io.latentflow.cli.stack.ClusterFile;
import io.latentflow.cli.stack.ClusterLayout;
import io.latentflow.cli.stack.ClusterServices;
import io.latentflow.cli.stack.EncodeRun;
import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.model.bench.CpuModel;
import io.latentflow.model.store.ModelDirectory;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow bench scale}: whether two TaskManagers encode twice as fast as one. Starts the local cluster
 * ({@code cluster up --taskmanagers 2 --slots 1}, each slot's model on {@code --threads-per-slot} intra-op threads;
 * Kafka and S3 embedded in this process), runs the bounded encode job on the same images at parallelism 1, then
 * 2, on that one cluster, and prints each run's steady pipeline rate (first to last batch, as {@code bench encode}
 * measures it) and their ratio. Everything it started is stopped at the end.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Pipeline images/s of the encode job at parallelism 1 and 2 on one cluster of 2 TaskManagers"
                + " of 1 slot, and the ratio (target >= 1.8 on an idle machine).")
final class ScaleBenchmark implements Callable<Integer> {

    private static final int TASK_MANAGERS = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeOptions encode;

    @Mixin
    BenchImages images;

    @Option(names = "--threads-per-slot", defaultValue = "1",
            description = "PyTorch intra-op threads of each slot's model (default ${DEFAULT-VALUE}: one per core on a"
                    + " 2-core machine at parallelism 2).")
    int threadsPerSlot;

    @Option(names = "--rounds", defaultValue = "1",
            description = "Pairs of runs (parallelism 1, then 2); each parallelism's median counts (default"
                    + " ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--job-jar", paramLabel = "JAR", description = "The job jar to submit (default: the one 'mvn"
            + " package' built).")
    Path jobJar;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the cluster keeps its state and logs"
            + " (default: a new temporary folder, deleted after a run that finished).")
    Path stateDir;

    @Mixin
    JsonOptions output;

    /** One run of the encode job at a parallelism. */
    record Run(int parallelism, double steadyImagesPerSecond, int imagesIn, int latents, Map<Integer, Long> batches) {
    }

    @Override
    public Integer call() throws Exception {
        if (encode.parallelism != 1) {
            throw new IllegalArgumentException("bench scale runs the job at parallelism 1 and " + TASK_MANAGERS
                    + " itself: drop --parallelism");
        }
        if (rounds < 1 || threadsPerSlot < 1) {
            throw new IllegalArgumentException("--rounds and --threads-per-slot must be at least 1");
        }
        double loadBefore = loadAverage();
        Path state = stateDir != null ? stateDir : Files.createTempDirectory("latentflow-scale-");
        List<Run> runs = new ArrayList<>();
        boolean finished = false;
        try {
            ClusterServices services = new ClusterServices(state.resolve("cluster"),
                    Path.of(System.getProperty("latentflow.home", ".")));
            progress("starting the cluster: " + TASK_MANAGERS + " TaskManagers of 1 slot, " + threadsPerSlot
                    + " intra-op thread(s) per slot");
            ClusterFile cluster = services.start(new ClusterLayout(TASK_MANAGERS, 1, threadsPerSlot, false, false,
                    false, null));
            try (FolderCopies copies = images.copies();
                 PipelineStack stack = PipelineStack.open(embeddedKafkaAndS3(state, cluster))) {
                progress("on " + stack.describe());
                EncodeJobSettings settings = encode.settings(stack);
                for (int round = 0; round < rounds; round++) {
                    for (int parallelism = 1; parallelism <= TASK_MANAGERS; parallelism++) {
                        runs.add(run(stack, settings.toBuilder().parallelism(parallelism).build(), copies.folders()));
                    }
                }
            } finally {
                ClusterServices.stop(cluster);
            }
            finished = true;
        } finally {
            if (stateDir == null && finished) {
                ModelDirectory.deleteRecursively(state);
            } else {
                progress("state and logs kept in " + state);
            }
        }
        print(runs, loadBefore, loadAverage());
        return 0;
    }

    /**
     * The cluster's Flink with Kafka and S3 embedded in this process, as {@code demo --flink} runs against
     * {@code cluster up}: the TaskManagers reach them on loopback, and two fewer JVMs start on a busy machine.
     */
    private StackOptions embeddedKafkaAndS3(Path state, ClusterFile cluster) {
        StackOptions stack = new StackOptions();
        stack.stateDir = state;
        stack.flinkRest = cluster.rest();
        stack.jobJar = jobJar;
        stack.s3.bucket = "latentflow";
        return stack;
    }

    private Run run(PipelineStack stack, EncodeJobSettings settings, List<Path> folders) throws Exception {
        progress("encode job at parallelism " + settings.parallelism() + " ...");
        EncodeRun.Outcome outcome = new EncodeRun(stack, settings).run(folders, Instant.now(), Duration.ofMillis(10));
        if (outcome.latents().size() + outcome.deadLetters().size() < outcome.imagesIn()) {
            throw new IllegalStateException("the run at parallelism " + settings.parallelism() + " committed "
                    + outcome.latents().size() + " latents and " + outcome.deadLetters().size() + " dead letters for "
                    + outcome.imagesIn() + " images: its rate would not be the pipeline's; see the cluster's logs");
        }
        Run run = new Run(settings.parallelism(), outcome.steadyImagesPerSecond(), outcome.imagesIn(),
                outcome.latents().size(), outcome.batchSizes());
        progress(String.format("parallelism %d: %.2f images/s (steady), batches %s", run.parallelism(),
                run.steadyImagesPerSecond(), run.batches()));
        return run;
    }

    private void print(List<Run> runs, double loadBefore, double loadAfter) {
        double one = median(runs, 1);
        double two = median(runs, TASK_MANAGERS);
        CpuModel cpu = CpuModel.detect();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("model", encode.model);
        figures.put("resolution", encode.resolution);
        figures.put("batchSize", encode.batchSize);
        figures.put("taskManagers", TASK_MANAGERS);
        figures.put("slotsPerTaskManager", 1);
        figures.put("threadsPerSlot", threadsPerSlot);
        figures.put("imagesPerRun", runs.get(0).imagesIn());
        figures.put("parallelism1ImagesPerSecond", round(one));
        figures.put("parallelism2ImagesPerSecond", round(two));
        figures.put("scaling", round(two / one));
        figures.put("runs", runs.stream().map(run -> Map.of("parallelism", run.parallelism(),
                "steadyImagesPerSecond", round(run.steadyImagesPerSecond()), "latents", run.latents(),
                "batchSizes", run.batches())).toList());
        figures.put("loadAverageBefore", round(loadBefore));
        figures.put("loadAverageAfter", round(loadAfter));
        figures.put("cpu", cpu.describe());
        figures.put("cpuFlags", cpu.kernelFlags());
        figures.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, figures);
        } else {
            out.printf("%nscale benchmark, model %s, %d px, batch %d, %d images a run, %d TaskManagers of 1 slot, %d"
                    + " intra-op thread(s) per slot%n", encode.model, encode.resolution, encode.batchSize,
                    runs.get(0).imagesIn(), TASK_MANAGERS, threadsPerSlot);
            for (Run run : runs) {
                out.printf("  parallelism %d, steady state:  %8.2f images/s (batches %s)%n", run.parallelism(),
                        run.steadyImagesPerSecond(), run.batches());
            }
            out.printf("  scaling, parallelism 2 / 1:   %8.2f (target >= 1.8 on an idle machine)%n", two / one);
            out.printf("  load average %.2f before, %.2f after; CPU %s, %d processors%n", loadBefore, loadAfter,
                    cpu.describe(), Runtime.getRuntime().availableProcessors());
        }
        out.flush();
    }

    private static double median(List<Run> runs, int parallelism) {
        double[] rates = runs.stream().filter(run -> run.parallelism() == parallelism)
                .mapToDouble(Run::steadyImagesPerSecond).sorted().toArray();
        int mid = rates.length / 2;
        return rates.length % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
    }

    private void progress(String line) {
        spec.commandLine().getErr().println("bench scale: " + line);
        spec.commandLine().getErr().flush();
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
