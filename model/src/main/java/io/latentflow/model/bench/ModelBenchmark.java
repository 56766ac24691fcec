package io.latentflow.model.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.flops.NetworkFlops;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.recipe.RecipeFile;
import io.latentflow.model.train.MicroBatching;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model on this machine: encode and decode throughput at each image size with the same batch, and for the shipped
 * default model a training step of the recipe it was trained with.
 */
public final class ModelBenchmark {

    /**
     * @param sizes     square image (and training crop) sides in pixels, each a multiple of the model's f
     * @param images    folder of training images the step samples crops from (split by source as in training)
     * @param train     warm-up and measured training steps per size
     * @param inference warm-up and measured encode (and decode) calls per size
     * @param model     a model version directory, or null for the shipped default model (the only one whose training
     *                  step is timed: its recipe is known)
     * @param microBatching the split the training step is also timed with, beside the whole batch, at each size where
     *                  it splits the batch (default: {@link MicroBatching#AUTO})
     */
    public record Options(List<Integer> sizes, int batch, int threads, Path images, Iterations train,
                          Iterations inference, Path model, MicroBatching microBatching) {

        public Options(List<Integer> sizes, int batch, int threads, Path images, Iterations train,
                       Iterations inference) {
            this(sizes, batch, threads, images, train, inference, null);
        }

        public Options(List<Integer> sizes, int batch, int threads, Path images, Iterations train,
                       Iterations inference, Path model) {
            this(sizes, batch, threads, images, train, inference, model, MicroBatching.AUTO);
        }

        public Options {
            if (sizes == null || sizes.isEmpty() || sizes.stream().anyMatch(s -> s == null || s < 1)) {
                throw new IllegalArgumentException("sizes is " + sizes
                        + ": give positive pixel sizes, e.g. 64,128,256");
            }
            if (batch < 1 || threads < 1) {
                throw new IllegalArgumentException("batch " + batch + " and threads " + threads + ": use >= 1");
            }
            sizes = List.copyOf(sizes);
            microBatching = microBatching == null ? MicroBatching.AUTO : microBatching;
        }
    }

    private ModelBenchmark() {
    }

    /** Against this machine's detected FP32 peak. */
    public static ModelBenchmarkReport run(Options options) throws IOException {
        return run(options, CpuPeak.detect());
    }

    public static ModelBenchmarkReport run(Options options, CpuPeak peak) throws IOException {
        boolean shipped = options.model() == null;
        int f;
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        // The serving side runs with the same intra-op threads as the trainer sets for itself; the engine must be
        // loaded before its native thread setting exists.
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(options.threads());
        RecipeConfig recipe = shipped ? defaultRecipe() : null;
        List<ModelBenchmarkReport.Row> rows = new ArrayList<>();
        String version;
        String shortName;
        try (ServingModel model = shipped ? ServingModel.loadDefault() : ServingModel.load(options.model());
             LatentEncoder encoder = model.newEncoder();
             LatentDecoder decoder = model.newDecoder()) {
            version = model.version();
            shortName = model.config().shortName();
            f = model.config().downsamplingFactor();
            for (int size : options.sizes()) {
                if (size % f != 0) {
                    throw new IllegalArgumentException("size " + size + " is not a multiple of model " + version
                            + "'s downsampling factor " + f + "; use e.g. 64,128,256");
                }
            }
            for (int size : options.sizes()) {
                TrainStepBenchmark.Result train = shipped ? TrainStepBenchmark.measure(model.config(), recipe,
                        options.images(), size, options.batch(), options.threads(), options.train(),
                        MicroBatching.WHOLE_BATCH) : null;
                TrainStepBenchmark.Result split = shipped ? microBatched(train, model, recipe, size, options) : null;
                Throughput encode = InferenceBenchmark.encode(encoder, size, options.batch(), options.inference());
                Throughput decode = InferenceBenchmark.decode(encoder, decoder, f, size, options.batch(),
                        options.inference());
                NetworkFlops flops = model.flops(size);
                rows.add(new ModelBenchmarkReport.Row(size, train == null ? Double.NaN : train.secondsPerStep(),
                        train == null ? Double.NaN : train.throughput().imagesPerSecond(), encode.imagesPerSecond(),
                        encode.millisPerCall(), decode.imagesPerSecond(), decode.millisPerCall(),
                        train == null ? Double.NaN : train.lastLosses().get("loss"),
                        ComputeRate.of(flops.encoder(), encode.imagesPerSecond(), peak),
                        ComputeRate.of(flops.decoder(), decode.imagesPerSecond(), peak),
                        train == null ? null
                                : ComputeRate.of(flops.trainStep(), train.throughput().imagesPerSecond(), peak),
                        split == null ? Double.NaN : split.secondsPerStep(),
                        split == null ? 0 : split.imagesPerMicroBatch(),
                        InferenceBenchmark.exposure(size, options.batch(), options.inference()).imagesPerSecond()));
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return new ModelBenchmarkReport(version, shortName, recipe == null ? "none (not trained here)"
                : recipe.kind().id(), options.batch(), options.threads(),
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, options.train(),
                options.inference(), peak.gflops(), peak.derivation(), rows);
    }

    /**
     * The step in micro-batches, timed in the same run as the whole batch (a ratio between two runs on a shared
     * machine is worth little), or the whole batch's figure where the split would not split it.
     */
    private static TrainStepBenchmark.Result microBatched(TrainStepBenchmark.Result wholeBatch, ServingModel model,
                                                          RecipeConfig recipe, int size, Options options)
            throws IOException {
        if (options.microBatching().imagesPerPart(options.batch(), model.config(), size) >= options.batch()) {
            return wholeBatch;
        }
        return TrainStepBenchmark.measure(model.config(), recipe, options.images(), size, options.batch(),
                options.threads(), options.train(), options.microBatching());
    }

    /** The recipe the shipped model was trained with (its recipe.json), so the step timed is the step it took. */
    static RecipeConfig defaultRecipe() {
        try (InputStream in = ModelBenchmark.class.getClassLoader()
                .getResourceAsStream(ServingModel.DEFAULT_RESOURCE_FOLDER + RecipeFile.NAME)) {
            if (in == null) {
                throw new IllegalStateException("the shipped default model has no " + RecipeFile.NAME + " on the"
                        + " classpath (" + ServingModel.DEFAULT_RESOURCE_FOLDER + "); rebuild the model module");
            }
            return RecipeConfig.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped default model's recipe", e);
        }
    }
}
