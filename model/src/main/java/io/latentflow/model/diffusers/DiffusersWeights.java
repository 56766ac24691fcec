package io.latentflow.model.diffusers;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The tensors an AutoencoderKL of a given config has, by diffusers' state-dict name and shape, and the check that a
 * checkpoint holds exactly those: every missing, extra or mis-shaped tensor is refused, naming it, before anything
 * is built or written. Older checkpoints name the mid-block attention {@code query/key/value/proj_attn}; they are
 * renamed to today's {@code to_q/to_k/to_v/to_out.0} (as diffusers does when it loads them), and attention weights
 * saved as 1x1 convolutions ({@code [C, C, 1, 1]}) are taken as the linear layers they are.
 */
public final class DiffusersWeights {

    private static final Map<String, String> OLD_ATTENTION_NAMES = Map.of(
            ".attentions.0.query.", ".attentions.0.to_q.",
            ".attentions.0.key.", ".attentions.0.to_k.",
            ".attentions.0.value.", ".attentions.0.to_v.",
            ".attentions.0.proj_attn.", ".attentions.0.to_out.0.");

    private DiffusersWeights() {
    }

    /** Every tensor the config's network has, in diffusers' order of modules, with its shape. */
    public static Map<String, long[]> expected(DiffusersVaeConfig config) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        List<Integer> widths = config.blockOutChannels();
        int last = widths.get(widths.size() - 1);
        int c = config.latentChannels();

        conv(shapes, "encoder.conv_in", 3, widths.get(0), 3);
        int channels = widths.get(0);
        for (int level = 0; level < widths.size(); level++) {
            int width = widths.get(level);
            for (int j = 0; j < config.layersPerBlock(); j++) {
                resnet(shapes, "encoder.down_blocks." + level + ".resnets." + j, j == 0 ? channels : width, width);
            }
            channels = width;
            if (level < widths.size() - 1) {
                conv(shapes, "encoder.down_blocks." + level + ".downsamplers.0.conv", width, width, 3);
            }
        }
        midBlock(shapes, "encoder.mid_block", last, config.midBlockAddAttention());
        norm(shapes, "encoder.conv_norm_out", last);
        conv(shapes, "encoder.conv_out", last, 2 * c, 3);
        if (config.useQuantConv()) {
            conv(shapes, "quant_conv", 2 * c, 2 * c, 1);
        }
        if (config.usePostQuantConv()) {
            conv(shapes, "post_quant_conv", c, c, 1);
        }

        conv(shapes, "decoder.conv_in", c, last, 3);
        midBlock(shapes, "decoder.mid_block", last, config.midBlockAddAttention());
        channels = last;
        for (int i = 0; i < widths.size(); i++) {
            int width = widths.get(widths.size() - 1 - i);
            for (int j = 0; j <= config.layersPerBlock(); j++) {
                resnet(shapes, "decoder.up_blocks." + i + ".resnets." + j, j == 0 ? channels : width, width);
            }
            channels = width;
            if (i < widths.size() - 1) {
                conv(shapes, "decoder.up_blocks." + i + ".upsamplers.0.conv", width, width, 3);
            }
        }
        norm(shapes, "decoder.conv_norm_out", widths.get(0));
        conv(shapes, "decoder.conv_out", widths.get(0), 3, 3);
        return shapes;
    }

    /**
     * The checkpoint's tensors under today's names, checked against {@link #expected}.
     *
     * @throws IllegalArgumentException naming every missing, extra or mis-shaped tensor (the first few of each)
     */
    public static Map<String, Safetensors.Tensor> canonical(DiffusersVaeConfig config,
                                                            Map<String, Safetensors.Tensor> checkpoint) {
        Map<String, long[]> expected = expected(config);
        Map<String, Safetensors.Tensor> renamed = new LinkedHashMap<>();
        TreeSet<String> extra = new TreeSet<>();
        for (Safetensors.Tensor tensor : checkpoint.values()) {
            String name = currentName(tensor.name());
            if (renamed.containsKey(name)) {
                throw new IllegalArgumentException("tensor " + tensor.name() + " appears twice, under its old and"
                        + " its current name (" + name + "); keep one");
            }
            if (!expected.containsKey(name)) {
                extra.add(tensor.name());
                continue;
            }
            renamed.put(name, tensor);
        }
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(renamed.keySet());
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException("the checkpoint does not match its config.json ("
                    + config.blockOutChannels() + ", " + config.layersPerBlock() + " layers per block, "
                    + config.latentChannels() + " latent channels): "
                    + (missing.isEmpty() ? "" : missing.size() + " tensor(s) missing: " + firstFew(missing)
                    + (extra.isEmpty() ? "" : "; "))
                    + (extra.isEmpty() ? "" : extra.size() + " unexpected tensor(s): " + firstFew(extra)));
        }
        Map<String, Safetensors.Tensor> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> entry : expected.entrySet()) {
            Safetensors.Tensor tensor = renamed.get(entry.getKey());
            long[] shape = entry.getValue();
            if (!Arrays.equals(tensor.shape(), shape) && !isConvStyleLinear(entry.getKey(), tensor.shape(), shape)) {
                throw new IllegalArgumentException("tensor " + tensor.name() + " has shape "
                        + Arrays.toString(tensor.shape()) + ", the config needs " + Arrays.toString(shape));
            }
            ordered.put(entry.getKey(), new Safetensors.Tensor(entry.getKey(), tensor.dtype(), shape,
                    tensor.values()));
        }
        return ordered;
    }

    static String currentName(String name) {
        for (Map.Entry<String, String> old : OLD_ATTENTION_NAMES.entrySet()) {
            if (name.contains(old.getKey())) {
                return name.replace(old.getKey(), old.getValue());
            }
        }
        return name;
    }

    private static boolean isConvStyleLinear(String name, long[] actual, long[] expected) {
        return name.contains(".attentions.0.") && expected.length == 2 && actual.length == 4
                && actual[0] == expected[0] && actual[1] == expected[1] && actual[2] == 1 && actual[3] == 1;
    }

    private static String firstFew(TreeSet<String> names) {
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.stream().limit(5).toList()) + ", ...";
    }

    private static void conv(Map<String, long[]> shapes, String name, int in, int out, int kernel) {
        shapes.put(name + ".weight", new long[] {out, in, kernel, kernel});
        shapes.put(name + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> shapes, String name, int channels) {
        shapes.put(name + ".weight", new long[] {channels});
        shapes.put(name + ".bias", new long[] {channels});
    }

    private static void linear(Map<String, long[]> shapes, String name, int channels) {
        shapes.put(name + ".weight", new long[] {channels, channels});
        shapes.put(name + ".bias", new long[] {channels});
    }

    private static void resnet(Map<String, long[]> shapes, String name, int in, int out) {
        norm(shapes, name + ".norm1", in);
        conv(shapes, name + ".conv1", in, out, 3);
        norm(shapes, name + ".norm2", out);
        conv(shapes, name + ".conv2", out, out, 3);
        if (in != out) {
            conv(shapes, name + ".conv_shortcut", in, out, 1);
        }
    }

    private static void midBlock(Map<String, long[]> shapes, String name, int channels, boolean attention) {
        resnet(shapes, name + ".resnets.0", channels, channels);
        if (attention) {
            String attn = name + ".attentions.0";
            norm(shapes, attn + ".group_norm", channels);
            linear(shapes, attn + ".to_q", channels);
            linear(shapes, attn + ".to_k", channels);
            linear(shapes, attn + ".to_v", channels);
            linear(shapes, attn + ".to_out.0", channels);
        }
        resnet(shapes, name + ".resnets.1", channels, channels);
    }
}
