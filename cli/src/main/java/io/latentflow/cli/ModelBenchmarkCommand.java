package io.latentflow.cli;

import io.latentflow.model.bench.Iterations;
import io.latentflow.model.bench.ModelBenchmark;
import io.latentflow.model.bench.ModelBenchmarkReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code latentflow bench model}: training-step time and encode/decode throughput of the shipped default model. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Train-step time (the trainer's own step, the default model's recipe) and encode/decode images/s"
                + " of the shipped default model at each size, same batch.")
final class ModelBenchmarkCommand implements Callable<Integer> {

    private static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", defaultValue = "64,128,256", paramLabel = "PX",
            description = "Image sides (and training crop sides), multiples of the model's f"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--batch", defaultValue = "16", description = "Images per step and per call (default: 16).")
    int batch;

    @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads (default: 2, as training).")
    int threads;

    @Option(names = "--train-warmup", defaultValue = "2", description = "Unmeasured training steps per size.")
    int trainWarmup;

    @Option(names = "--train-steps", defaultValue = "3", description = "Measured training steps per size.")
    int trainSteps;

    @Option(names = "--warmup", defaultValue = "2", description = "Unmeasured encode and decode calls per size.")
    int warmup;

    @Option(names = "--iterations", defaultValue = "10", description = "Measured encode and decode calls per size.")
    int iterations;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Images the training step crops (default: the shipped sample photos).")
    Path images;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelBenchmarkReport report;
        try {
            report = ModelBenchmark.run(new ModelBenchmark.Options(sizes, batch, threads,
                    images != null ? images : Home.samples().resolve("photos"),
                    new Iterations(trainWarmup, trainSteps), new Iterations(warmup, iterations)));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("bench model: " + e.getMessage());
            return USAGE;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.toJson() + System.lineSeparator() : report.toTable());
        out.flush();
        return 0;
    }
}
