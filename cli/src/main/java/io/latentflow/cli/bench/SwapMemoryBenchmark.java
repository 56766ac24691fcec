package io.latentflow.cli.bench;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.bench.ResidentMemory;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code latentflow bench swap}: what a hot swap costs an encoder subtask. During a swap it holds two models, each with
 * its encoder warmed up on a full batch; this loads the default model twice, as the subtask does, and reports heap and
 * resident memory with one and with two models (after a full GC; resident includes the PyTorch runtime and the
 * allocator's cached activation memory, which the second model reuses), the peak, and how long loading and warming up
 * the second one took.
 */
@Command(name = "swap", mixinStandardHelpOptions = true,
        description = "Memory (heap and resident) of an encoder holding one, then two copies of the default model,"
                + " each warmed up on a batch, and the time to load and warm up the second.")
final class SwapMemoryBenchmark implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--resolution", defaultValue = "256", description = "Image side (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--batch", defaultValue = "16", description = "Images per encoder call (default ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        ResidentMemory empty = ResidentMemory.afterGc();
        try (ServingModel first = ServingModel.loadDefault(); LatentEncoder firstEncoder = warm(first)) {
            ResidentMemory one = ResidentMemory.afterGc();
            long started = System.nanoTime();
            try (ServingModel second = ServingModel.loadDefault(); LatentEncoder secondEncoder = warm(second)) {
                long loadMillis = (System.nanoTime() - started) / 1_000_000;
                ResidentMemory two = ResidentMemory.afterGc();
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("model", first.version());
                figures.put("resolution", resolution);
                figures.put("batch", batch);
                figures.put("oneModelHeapMiB", one.heapMiB() - empty.heapMiB());
                figures.put("oneModelResidentMiB", one.residentMiB() - empty.residentMiB());
                figures.put("secondModelHeapMiB", two.heapMiB() - one.heapMiB());
                figures.put("secondModelResidentMiB", two.residentMiB() - one.residentMiB());
                figures.put("residentWithTwoMiB", two.residentMiB());
                figures.put("peakResidentMiB", two.peakResidentMiB());
                figures.put("secondModelLoadAndWarmUpMillis", loadMillis);
                print(figures);
            }
        }
        return 0;
    }

    private LatentEncoder warm(ServingModel model) {
        LatentEncoder encoder = model.newEncoder();
        encoder.encode(new float[batch * 3 * resolution * resolution], batch, resolution, resolution);
        return encoder;
    }

    private void print(Map<String, Object> figures) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, figures);
        } else {
            figures.forEach((name, value) -> out.printf(Locale.ROOT, "%-32s %s%n", name, value));
        }
        out.flush();
    }
}
