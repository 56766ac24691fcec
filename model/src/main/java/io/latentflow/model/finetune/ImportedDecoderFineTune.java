package io.latentflow.model.finetune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.model.data.CropSampler;
import io.latentflow.model.data.TrainingImages;
import io.latentflow.model.data.TrainingImage;
import io.latentflow.model.diffusers.DiffusersAutoencoderKl;
import io.latentflow.model.diffusers.DiffusersVaeConfig;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.diffusers.Safetensors;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.StopOnInterrupt;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainingProgress;
import io.latentflow.model.train.TrainingResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Decoder-only fine-tuning of an imported diffusers VAE, as Stability refreshed its own (sd-vae-ft-ema/mse): the
 * encoder and quant_conv are never touched, so the new version's encoder tensors are the parent's, value for value,
 * and every latent and the latent space stay; post_quant_conv and the decoder are trained with Adam on an L1
 * reconstruction loss of the posterior mean's decode (no KL, no discriminator, no weight average: the smallest loop
 * that keeps the latent space, written for the diffusers network's weights as DJL arrays, not the trainer's blocks).
 */
final class ImportedDecoderFineTune {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private ImportedDecoderFineTune() {
    }

    static TrainingResult run(Path serving, DiffusersVaeConfig config, List<Path> training, TrainingBudget budget,
                              double learningRate, FineTuneOptions options, Map<String, Object> provenance)
            throws IOException {
        ImportedVae parent = ImportedVae.load(serving, config);
        int f = config.architecture().downsamplingFactor();
        int crop = options.cropSize() / f * f;
        if (crop < f) {
            throw new IllegalArgumentException("crop size " + options.cropSize() + " is below the imported VAE's"
                    + " downsampling factor " + f + ": use a multiple of it");
        }
        List<TrainingImage> images = TrainingImages.load(training);
        CropSampler sampler = new CropSampler(images, crop);
        SplittableRandom random = new SplittableRandom(options.seed());
        Engine engine = Engine.getEngine("PyTorch"); // loads the native library JniUtils needs
        JniUtils.setNumThreads(options.threads());
        JniUtils.setGradMode(false);
        List<Map<String, Float>> history = new ArrayList<>();
        Map<String, Safetensors.Tensor> trained = new LinkedHashMap<>();
        long started = System.nanoTime();
        long step = 0;
        try (NDManager manager = engine.newBaseManager()) {
            DiffusersAutoencoderKl network = DiffusersAutoencoderKl.load(config, parent.weights(), manager);
            Map<String, NDArray> decoder = new LinkedHashMap<>();
            Map<String, NDArray[]> moments = new LinkedHashMap<>();
            network.weights().forEach((name, array) -> {
                if (!ImportedVae.isEncoderSide(name)) {
                    array.setRequiresGradient(true);
                    decoder.put(name, array);
                    moments.put(name, new NDArray[] {manager.zeros(array.getShape()), manager.zeros(array.getShape())});
                }
            });
            while (!budget.exhausted(step, Duration.ofNanos(System.nanoTime() - started))) {
                float[] pixels = sampler.sample(random, options.batchSize());
                float loss;
                try (NDScope scope = new NDScope()) {
                    NDArray batch = manager.create(pixels, new Shape(options.batchSize(), 3, crop, crop));
                    NDArray latents = network.posteriorMean(batch); // no weight of it requires a gradient
                    try (GradientCollector collector = engine.newGradientCollector()) {
                        NDArray l1 = network.decode(latents).sub(batch).abs().mean();
                        collector.backward(l1);
                        loss = l1.getFloat();
                    }
                    step++;
                    adam(decoder, moments, learningRate, step);
                }
                history.add(Map.of("total", loss));
                Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                options.listener().stepDone(new TrainingProgress(step, budget.steps(), budget.progress(step, elapsed),
                        Map.of("total", loss), elapsed, null));
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException("the decoder's loss became " + loss + " at step " + step
                            + ": lower the learning rate (--learning-rate)");
                }
                StopOnInterrupt.throwIfInterrupted(step);
            }
            for (Map.Entry<String, Safetensors.Tensor> original : parent.weights().entrySet()) {
                NDArray live = decoder.get(original.getKey());
                Safetensors.Tensor tensor = original.getValue();
                trained.put(original.getKey(), live == null ? tensor // the encoder side: the parent's own tensor
                        : new Safetensors.Tensor(tensor.name(), "F32", tensor.shape(), live.toFloatArray()));
            }
        }
        Duration time = Duration.ofNanos(System.nanoTime() - started);
        double secondsPerStep = time.toNanos() / 1e9 / Math.max(1, step);
        Path unpublished = Files.createTempDirectory("latentflow-decoder-finetune-");
        try {
            Manifest saved = new ImportedVae(config, trained).save(unpublished.resolve("model"), null);
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("modelVersion", saved.version());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("command", options.command());
            summary.put("recipe", "decoder-l1");
            summary.put("steps", step);
            summary.put("minutes", time.toMillis() / 60000.0);
            summary.put("learningRate", learningRate);
            summary.put("cropSize", crop);
            summary.put("batchSize", options.batchSize());
            summary.put("secondsPerStep", secondsPerStep);
            summary.put("trainImages", images.size());
            summary.put("frozenEncoder", true);
            summary.put("finalLoss", history.isEmpty() ? null : history.get(history.size() - 1).get("total"));
            metrics.put("training", summary);
            metrics.put("provenance", provenance);
            Manifest manifest = ModelDirectory.copyWithMetrics(unpublished.resolve("model"), options.output(),
                    JSON.writeValueAsString(metrics));
            options.progress().printf(Locale.ROOT, "trained the decoder of %s for %d steps (%.2f s/step)%n",
                    manifest.version(), step, secondsPerStep);
            return new TrainingResult(options.output(), manifest.version(), step, 0, time, List.copyOf(history), null,
                    0, List.of(), secondsPerStep);
        } finally {
            ModelDirectory.deleteRecursively(unpublished);
        }
    }

    /** One Adam step (bias-corrected) on every decoder weight, in place; clears their gradients. */
    private static void adam(Map<String, NDArray> weights, Map<String, NDArray[]> moments, double learningRate,
                             long step) {
        float correction1 = (float) (1 - Math.pow(BETA1, step));
        float correction2 = (float) (1 - Math.pow(BETA2, step));
        weights.forEach((name, weight) -> {
            NDArray gradient = weight.getGradient();
            NDArray[] m = moments.get(name);
            m[0].muli(BETA1).addi(gradient.mul(1 - BETA1));
            m[1].muli(BETA2).addi(gradient.square().muli(1 - BETA2));
            NDArray update = m[0].div(correction1).divi(m[1].div(correction2).sqrt().addi(EPSILON))
                    .muli((float) learningRate);
            weight.subi(update);
            gradient.subi(gradient);
        });
    }
}
