package io.latentflow.model.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The encoder of one model in this process, timed and then profiled: {@link EncoderProfile} starts it in a child JVM
 * whose environment holds what is being tried (oneDNN's verbose log, oneDNN and allocator settings, read once per
 * process). Usage: {@code EncoderProfileRun MODEL|default SIZE BATCH THREADS WARMUP MEASURED TRACE_OUT}; prints
 * {@code result <images/s> <encoder calls in all> <encoder FLOPs per image>} after the PyTorch profiler's trace of the last {@code MEASURED}
 * calls is written to {@code TRACE_OUT}.
 */
public final class EncoderProfileRun {

    private EncoderProfileRun() {
    }

    public static void main(String[] args) {
        int size = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(Integer.parseInt(args[3]));
        Iterations iterations = new Iterations(Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        try (ServingModel model = "default".equals(args[0]) ? ServingModel.loadDefault()
                : ServingModel.load(Path.of(args[0]));
             LatentEncoder encoder = model.newEncoder()) {
            Throughput timed = InferenceBenchmark.encode(encoder, size, batch, iterations);
            float[] pixels = InferenceBenchmark.randomPixels(batch, size);
            JniUtils.startProfile(false, false, false);
            for (int i = 0; i < iterations.measured(); i++) {
                encoder.encode(pixels, batch, size, size);
            }
            JniUtils.stopProfile(args[6]);
            System.out.flush();
            System.out.printf(Locale.ROOT, "result %.4f %d %d%n", timed.imagesPerSecond(),
                    iterations.warmup() + 2 * iterations.measured(), model.flops(size).encoder());
        }
    }
}
