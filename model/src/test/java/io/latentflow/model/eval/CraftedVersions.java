package io.latentflow.model.eval;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.util.Pair;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.store.ModelDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Model versions broken on purpose for the gate's tests, each by editing one layer of a real saved version: what a
 * fine-tune gone wrong would leave, with the fault made certain rather than hoped for.
 */
final class CraftedVersions {

    private CraftedVersions() {
    }

    /** An untrained version of {@code config}, saved. */
    static Path untrained(AutoencoderConfig config, long seed, Path dir) throws IOException {
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            ModelDirectory.save(Autoencoder.initialized(config, manager, seed), dir, null, "{}");
        }
        return dir;
    }

    /** The source with every weight and bias of the encoder's last convolution times {@code factor}. */
    static Path scaledEncoderOutput(Path source, float factor, Path target) throws IOException {
        return edited(source, target, autoencoder -> {
            for (Pair<String, ai.djl.nn.Parameter> parameter : lastConvolution(autoencoder.encoder()).getParameters()) {
                parameter.getValue().getArray().muli(factor);
            }
        });
    }

    /** The source with {@code offset} added to every bias of the decoder's last convolution: every pixel off by it. */
    static Path shiftedDecoderOutput(Path source, float offset, Path target) throws IOException {
        return edited(source, target, autoencoder -> {
            for (Pair<String, ai.djl.nn.Parameter> parameter : lastConvolution(autoencoder.decoder()).getParameters()) {
                if (parameter.getKey().endsWith("bias")) {
                    parameter.getValue().getArray().addi(offset);
                }
            }
        });
    }

    /**
     * A bounded version whose latent channel 0 is a step at the {@code quantile} of its pre-activation on
     * {@code images}: nearly every position saturates at -1 and the few above the quantile at +1, far beyond 6 std of a
     * channel that hardly moves, which is what a black hole is. The pre-activation is the source's own latent through
     * atanh, so the step sits where the quantile says on exactly these images.
     */
    static Path blackHolesInChannelZero(Path source, List<ImageBatch> images, double quantile, Path target)
            throws IOException {
        double threshold = channelZeroPreActivationQuantile(source, images, quantile);
        float steepness = 1000;
        return edited(source, target, autoencoder -> {
            for (Pair<String, ai.djl.nn.Parameter> parameter : lastConvolution(autoencoder.encoder()).getParameters()) {
                NDArray array = parameter.getValue().getArray();
                float[] values = array.toFloatArray();
                boolean bias = parameter.getKey().endsWith("bias");
                int perChannel = values.length / (int) array.getShape().get(0);
                for (int i = 0; i < perChannel; i++) {
                    values[i] = bias ? steepness * (values[i] - (float) threshold) : steepness * values[i];
                }
                array.set(values);
            }
        });
    }

    private static double channelZeroPreActivationQuantile(Path source, List<ImageBatch> images, double quantile) {
        List<Double> preActivations = new ArrayList<>();
        try (ServingModel model = ServingModel.load(source); LatentEncoder encoder = model.newEncoder()) {
            int channels = model.config().latentChannels();
            for (ImageBatch batch : images) {
                float[] latents = encoder.encode(batch.pixels(), batch.count(), batch.height(), batch.width());
                int plane = latents.length / batch.count() / channels;
                for (int n = 0; n < batch.count(); n++) {
                    for (int i = 0; i < plane; i++) {
                        double value = latents[n * channels * plane + i];
                        preActivations.add(0.5 * Math.log((1 + value) / (1 - value)));
                    }
                }
            }
        }
        double[] sorted = preActivations.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[(int) Math.floor(quantile * (sorted.length - 1))];
    }

    private interface Edit {
        void apply(Autoencoder autoencoder);
    }

    private static Path edited(Path source, Path target, Edit edit) throws IOException {
        AutoencoderConfig config = AutoencoderConfig.read(source.resolve(ModelDirectory.CONFIG));
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            Autoencoder autoencoder = Autoencoder.load(config, manager, source.resolve(ModelDirectory.ENCODER_PARAMS),
                    source.resolve(ModelDirectory.DECODER_PARAMS));
            edit.apply(autoencoder);
            ModelDirectory.save(autoencoder, target, null, "{}");
        } catch (MalformedModelException e) {
            throw new IOException(e);
        }
        return target;
    }

    /** The convolution of the block's last stage (the output head: norm, SiLU, convolution). */
    private static Block lastConvolution(Block staged) {
        List<Pair<String, Block>> stages = staged.getChildren().stream().toList();
        Pair<String, Block> head = stages.get(stages.size() - 1);
        List<Pair<String, Block>> parts = head.getValue().getChildren().stream().toList();
        Pair<String, Block> conv = parts.get(parts.size() - 1);
        if (!head.getKey().endsWith("out") || !conv.getKey().endsWith("conv")) {
            throw new IllegalStateException("expected the output head's convolution last, found " + head.getKey()
                    + "/" + conv.getKey());
        }
        return conv.getValue();
    }
}
