package io.latentflow.model.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.train.RecipeFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shipped default model on this machine: a training step of the recipe it was trained with, and encode and
 * decode throughput, at each image size with the same batch.
 */
public final class ModelBenchmark {

    /**
     * @param sizes     square image (and training crop) sides in pixels, each a multiple of the model's f
     * @param images    folder of training images the step samples crops from (split by source as in training)
     * @param train     warm-up and measured training steps per size
     * @param inference warm-up and measured encode (and decode) calls per size
     */
    public record Options(List<Integer> sizes, int batch, int threads, Path images, Iterations train,
                          Iterations inference) {

        public Options {
            if (sizes == null || sizes.isEmpty() || sizes.stream().anyMatch(s -> s == null || s < 1)) {
                throw new IllegalArgumentException("sizes is " + sizes
                        + ": give positive pixel sizes, e.g. 64,128,256");
            }
            if (batch < 1 || threads < 1) {
                throw new IllegalArgumentException("batch " + batch + " and threads " + threads + ": use >= 1");
            }
            sizes = List.copyOf(sizes);
        }
    }

    private ModelBenchmark() {
    }

    public static ModelBenchmarkReport run(Options options) throws IOException {
        int f = ServingModel.defaultConfig().downsamplingFactor();
        for (int size : options.sizes()) {
            if (size % f != 0) {
                throw new IllegalArgumentException("size " + size + " is not a multiple of the default model's"
                        + " downsampling factor " + f + "; use e.g. 64,128,256");
            }
        }
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        // The serving side runs with the same intra-op threads as the trainer sets for itself; the engine must be
        // loaded before its native thread setting exists.
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(options.threads());
        RecipeConfig recipe = defaultRecipe();
        List<ModelBenchmarkReport.Row> rows = new ArrayList<>();
        String version;
        String shortName;
        try (ServingModel model = ServingModel.loadDefault();
             LatentEncoder encoder = model.newEncoder();
             LatentDecoder decoder = model.newDecoder()) {
            version = model.version();
            shortName = model.config().shortName();
            for (int size : options.sizes()) {
                TrainStepBenchmark.Result train = TrainStepBenchmark.measure(model.config(), recipe, options.images(),
                        size, options.batch(), options.threads(), options.train());
                Throughput encode = InferenceBenchmark.encode(encoder, size, options.batch(), options.inference());
                Throughput decode = InferenceBenchmark.decode(encoder, decoder, f, size, options.batch(),
                        options.inference());
                rows.add(new ModelBenchmarkReport.Row(size, train.secondsPerStep(), train.throughput()
                        .imagesPerSecond(), encode.imagesPerSecond(), encode.millisPerCall(),
                        decode.imagesPerSecond(), decode.millisPerCall(), train.lastLosses().get("loss")));
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return new ModelBenchmarkReport(version, shortName, recipe.kind().id(), options.batch(), options.threads(),
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, options.train(),
                options.inference(), rows);
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
