package io.latentflow.model.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import io.latentflow.model.nn.GroupNorm;
import io.latentflow.model.nn.Layers;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * diffusers' AutoencoderKL (autoencoder_kl.py, vae.py), computed with DJL ops on its own weights, names and all:
 * ResnetBlock2D (GroupNorm eps 1e-6, SiLU, 1x1 conv shortcut when widths change), Downsample2D ((0,1,0,1) zero
 * padding, then a stride-2 3x3 conv without padding), UNetMidBlock2D (resnet, single-head attention, resnet),
 * Upsample2D (nearest 2x, then a 3x3 conv), and quant_conv / post_quant_conv when the config has them.
 * Weights are float32 whatever the checkpoint stored. Thread-safe for inference: it holds weights only.
 */
public final class DiffusersAutoencoderKl {

    private static final int NEAREST = 0;
    private static final Shape SAME_3X3 = new Shape(1, 1);
    private static final Shape NO_PADDING = new Shape(0, 0);
    private static final Shape STRIDE_2 = new Shape(2, 2);
    /** F.pad's order (last dimension first): nothing left, one column right, nothing on top, one row below. */
    private static final Shape DOWNSAMPLE_PADDING = new Shape(0, 1, 0, 1);

    private final DiffusersVaeConfig config;
    private final Map<String, NDArray> weights;

    private DiffusersAutoencoderKl(DiffusersVaeConfig config, Map<String, NDArray> weights) {
        this.config = config;
        this.weights = weights;
    }

    /**
     * Puts the weights into {@code manager} (which owns them from then on).
     *
     * @param checkpoint tensors under today's names, as {@link DiffusersWeights#canonical} returns them
     */
    public static DiffusersAutoencoderKl load(DiffusersVaeConfig config, Map<String, Safetensors.Tensor> checkpoint,
                                              NDManager manager) {
        Map<String, Safetensors.Tensor> canonical = DiffusersWeights.canonical(config, checkpoint);
        Map<String, NDArray> weights = new HashMap<>();
        for (Safetensors.Tensor tensor : canonical.values()) {
            Shape shape = new Shape(tensor.shape());
            if (isNormAffine(tensor.name())) {
                shape = new Shape(shape.get(0), 1, 1); // broadcasts over NCHW with no reshape per call
            }
            NDArray array = manager.create(FloatBuffer.wrap(tensor.values()), shape);
            array.setName(tensor.name());
            weights.put(tensor.name(), array);
        }
        return new DiffusersAutoencoderKl(config, weights);
    }

    public DiffusersVaeConfig config() {
        return config;
    }

    /**
     * The weights by their diffusers names, live: a trainer marks some for gradients and updates them in place. Norm
     * affine weights have the shape (C, 1, 1), not the checkpoint's (C).
     */
    public Map<String, NDArray> weights() {
        return java.util.Collections.unmodifiableMap(weights);
    }

    /** Images (NCHW, RGB in [-1, 1], sides multiples of the downsampling factor) to the posterior's mean. */
    public NDArray posteriorMean(NDArray images) {
        return posteriorMoments(images).get(":, :" + config.latentChannels());
    }

    /** Images to the posterior's moments: 2c channels, the mean then the (unclamped) log-variance. */
    public NDArray posteriorMoments(NDArray images) {
        NDArray moments = encoderOutput(images);
        if (config.useQuantConv()) {
            moments = conv(moments, "quant_conv", NO_PADDING);
        }
        return moments;
    }

    /** Unscaled latents (the posterior mean's space) to images, NCHW, unclipped. */
    public NDArray decode(NDArray latents) {
        NDArray z = config.usePostQuantConv() ? conv(latents, "post_quant_conv", NO_PADDING) : latents;
        Stages x = new Stages(latents, conv(z, "decoder.conv_in", SAME_3X3));
        midBlock(x, "decoder.mid_block");
        List<Integer> widths = config.blockOutChannels();
        for (int i = 0; i < widths.size(); i++) {
            for (int j = 0; j <= config.layersPerBlock(); j++) {
                String resnet = "decoder.up_blocks." + i + ".resnets." + j;
                x.next(h -> resnet(h, resnet));
            }
            if (i < widths.size() - 1) {
                String upsampler = "decoder.up_blocks." + i + ".upsamplers.0.conv";
                x.next(h -> {
                    Shape shape = h.getShape();
                    return conv(h.getNDArrayInternal().interpolation(new long[] {shape.get(2) * 2, shape.get(3) * 2},
                            NEAREST, false), upsampler, SAME_3X3);
                });
            }
        }
        return x.next(h -> conv(Layers.silu(groupNorm(h, "decoder.conv_norm_out")), "decoder.conv_out", SAME_3X3));
    }

    private NDArray encoderOutput(NDArray images) {
        Stages x = new Stages(images, conv(images, "encoder.conv_in", SAME_3X3));
        List<Integer> widths = config.blockOutChannels();
        for (int level = 0; level < widths.size(); level++) {
            for (int j = 0; j < config.layersPerBlock(); j++) {
                String resnet = "encoder.down_blocks." + level + ".resnets." + j;
                x.next(h -> resnet(h, resnet));
            }
            if (level < widths.size() - 1) {
                String downsampler = "encoder.down_blocks." + level + ".downsamplers.0.conv";
                x.next(h -> Conv2d.conv2d(h.pad(DOWNSAMPLE_PADDING, 0), weight(downsampler + ".weight"),
                        weight(downsampler + ".bias"), STRIDE_2, NO_PADDING).singletonOrThrow());
            }
        }
        midBlock(x, "encoder.mid_block");
        return x.next(h -> conv(Layers.silu(groupNorm(h, "encoder.conv_norm_out")), "encoder.conv_out", SAME_3X3));
    }

    private void midBlock(Stages x, String name) {
        x.next(h -> resnet(h, name + ".resnets.0"));
        if (config.midBlockAddAttention()) {
            x.next(h -> attention(h, name + ".attentions.0"));
        }
        x.next(h -> resnet(h, name + ".resnets.1"));
    }

    /**
     * The activation flowing through the network, one stage (a resnet, the attention, a resampler) at a time, each in
     * a scope of its own: a stage's intermediates, and the activation it consumed, are freed as soon as it returns,
     * not when the caller's scope ends. Without that the full SD encoder at 512 px holds every activation of the
     * whole pass at once, gigabytes per image. Closing an array only drops DJL's handle: when gradients are
     * recorded (the decoder's fine-tune), autograd keeps what the backward pass needs.
     */
    private static final class Stages {
        private final NDArray input;
        private NDArray current;

        Stages(NDArray input, NDArray first) {
            this.input = input;
            this.current = first;
        }

        NDArray next(UnaryOperator<NDArray> stage) {
            NDArray out;
            try (NDScope scope = new NDScope()) {
                out = stage.apply(current);
                NDScope.unregister(out);
            }
            NDScope.register(out); // the caller's scope frees the result
            if (current != input) {
                current.close();
            }
            current = out;
            return out;
        }
    }

    private NDArray resnet(NDArray x, String name) {
        NDArray h = conv(Layers.silu(groupNorm(x, name + ".norm1")), name + ".conv1", SAME_3X3);
        h = conv(Layers.silu(groupNorm(h, name + ".norm2")), name + ".conv2", SAME_3X3);
        NDArray shortcut = weights.containsKey(name + ".conv_shortcut.weight")
                ? conv(x, name + ".conv_shortcut", NO_PADDING) : x;
        return shortcut.add(h);
    }

    /** One head over all C channels; diffusers upcasts the softmax to float32, which everything here already is. */
    private NDArray attention(NDArray x, String name) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long channels = shape.get(1);
        NDArray tokens = groupNorm(x, name + ".group_norm").reshape(batch, channels, -1).transpose(0, 2, 1);
        NDArray q = linear(tokens, name + ".to_q");
        NDArray k = linear(tokens, name + ".to_k");
        NDArray v = linear(tokens, name + ".to_v");
        NDArray scores = q.batchMatMul(k.transpose(0, 2, 1)).mul(1.0 / Math.sqrt(channels));
        NDArray attended = linear(scores.softmax(-1).batchMatMul(v), name + ".to_out.0");
        return attended.transpose(0, 2, 1).reshape(shape).add(x);
    }

    private NDArray groupNorm(NDArray x, String name) {
        return GroupNorm.standardise(x, config.normNumGroups()).mul(weight(name + ".weight"))
                .add(weight(name + ".bias"));
    }

    private static boolean isNormAffine(String name) {
        return name.contains("norm") && (name.endsWith(".weight") || name.endsWith(".bias"));
    }

    private NDArray conv(NDArray x, String name, Shape padding) {
        return Conv2d.conv2d(x, weight(name + ".weight"), weight(name + ".bias"), new Shape(1, 1), padding)
                .singletonOrThrow();
    }

    private NDArray linear(NDArray x, String name) {
        return Linear.linear(x, weight(name + ".weight"), weight(name + ".bias")).singletonOrThrow();
    }

    private NDArray weight(String name) {
        NDArray w = weights.get(name);
        if (w == null) {
            throw new IllegalStateException("no weight " + name + " (checked at load, so this is a bug)");
        }
        return w;
    }
}
