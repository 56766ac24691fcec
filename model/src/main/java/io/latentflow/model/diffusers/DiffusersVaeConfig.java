package io.latentflow.model.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentKind;
import io.latentflow.model.Normalization;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A diffusers {@code AutoencoderKL} config ({@code config.json} beside {@code diffusion_pytorch_model.safetensors}),
 * limited to what SD 1.x/2.x, SDXL, SD3 and FLUX use. Missing fields take diffusers' defaults; any other class,
 * block type, activation or an unknown field is refused, naming the field, rather than served wrong.
 *
 * @param shiftFactor 0 when the config says null (SD, SDXL)
 */
public record DiffusersVaeConfig(
        List<Integer> blockOutChannels,
        int layersPerBlock,
        int latentChannels,
        int normNumGroups,
        boolean midBlockAddAttention,
        boolean useQuantConv,
        boolean usePostQuantConv,
        double scalingFactor,
        double shiftFactor,
        boolean forceUpcast) {

    public static final String CLASS_NAME = "AutoencoderKL";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields that describe the checkpoint but change nothing this importer computes. */
    private static final Set<String> DESCRIPTIVE = Set.of("sample_size");

    public DiffusersVaeConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        if (normNumGroups < 1) {
            throw invalid("norm_num_groups", normNumGroups + " (must be at least 1)");
        }
        int levels = blockOutChannels.size();
        if (levels != 4 && levels != 5) {
            throw invalid("block_out_channels", blockOutChannels + " has " + levels + " levels: latentflow serves"
                    + " 8x (4 levels, as SD, SDXL, SD3 and FLUX) or 16x (5 levels) downsampling");
        }
        for (int width : blockOutChannels) {
            if (width < 1 || width % normNumGroups != 0) {
                throw invalid("block_out_channels", blockOutChannels + " contains " + width
                        + ", not a positive multiple of norm_num_groups " + normNumGroups);
            }
        }
        if (layersPerBlock < 1 || layersPerBlock > 8) {
            throw invalid("layers_per_block", layersPerBlock + " (supported: 1 to 8)");
        }
        if (latentChannels != 4 && latentChannels != 8 && latentChannels != 16) {
            throw invalid("latent_channels", latentChannels + " (supported: 4, 8, 16)");
        }
        if (!(scalingFactor > 0) || Double.isInfinite(scalingFactor)) {
            throw invalid("scaling_factor", scalingFactor + " (must be a positive finite number)");
        }
        if (!Double.isFinite(shiftFactor)) {
            throw invalid("shift_factor", shiftFactor + " (must be finite or null)");
        }
    }

    /** 2 to the number of downsampling steps (one per level but the last). */
    public int downsamplingFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }

    /**
     * The same network described as a latentflow architecture (KL head, group norm), for what only needs its shape:
     * downsampling, channel counts, widths for batch sizing. Its blocks are not diffusers' (no attention).
     */
    public AutoencoderConfig architecture() {
        return new AutoencoderConfig(downsamplingFactor(), latentChannels, blockOutChannels, layersPerBlock,
                Normalization.group(normNumGroups), LatentKind.KL);
    }

    public static DiffusersVaeConfig read(Path file) throws IOException {
        return fromJson(Files.readString(file));
    }

    public static DiffusersVaeConfig fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("config.json is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config.json is not a JSON object");
        }
        return fromJson(root);
    }

    public static DiffusersVaeConfig fromJson(JsonNode root) {
        String className = root.path("_class_name").asText(null);
        if (!CLASS_NAME.equals(className)) {
            throw invalid("_class_name", "'" + className + "': only diffusers' " + CLASS_NAME + " can be imported"
                    + " (point at the vae/ folder of a pipeline, not at another model)");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.startsWith("_") && !KNOWN.contains(name) && !DESCRIPTIVE.contains(name)) {
                throw invalid(name, "unknown to this importer; it may change the network, so it is not ignored");
            }
        }
        requireValue(root, "in_channels", 3);
        requireValue(root, "out_channels", 3);
        requireText(root, "act_fn", "silu");
        List<Integer> widths = intList(root, "block_out_channels", List.of(64));
        requireAll(root, "down_block_types", "DownEncoderBlock2D", widths.size());
        requireAll(root, "up_block_types", "UpDecoderBlock2D", widths.size());
        for (String unsupported : List.of("latents_mean", "latents_std")) {
            if (root.has(unsupported) && !root.get(unsupported).isNull()) {
                throw invalid(unsupported, "is set: per-channel latent statistics are not supported, only"
                        + " scaling_factor and shift_factor");
            }
        }
        return new DiffusersVaeConfig(widths,
                integer(root, "layers_per_block", 1),
                integer(root, "latent_channels", 4),
                integer(root, "norm_num_groups", 32),
                bool(root, "mid_block_add_attention", true),
                bool(root, "use_quant_conv", true),
                bool(root, "use_post_quant_conv", true),
                number(root, "scaling_factor", 0.18215),
                number(root, "shift_factor", 0),
                bool(root, "force_upcast", true));
    }

    /** diffusers' field names, as its own {@code config.json}. */
    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("_class_name", CLASS_NAME);
        node.put("act_fn", "silu");
        node.put("in_channels", 3);
        node.put("out_channels", 3);
        blockOutChannels.forEach(node.putArray("block_out_channels")::add);
        blockOutChannels.forEach(w -> node.withArray("down_block_types").add("DownEncoderBlock2D"));
        blockOutChannels.forEach(w -> node.withArray("up_block_types").add("UpDecoderBlock2D"));
        node.put("layers_per_block", layersPerBlock);
        node.put("latent_channels", latentChannels);
        node.put("norm_num_groups", normNumGroups);
        node.put("mid_block_add_attention", midBlockAddAttention);
        node.put("use_quant_conv", useQuantConv);
        node.put("use_post_quant_conv", usePostQuantConv);
        node.put("scaling_factor", scalingFactor);
        node.put("shift_factor", shiftFactor);
        node.put("force_upcast", forceUpcast);
        return node;
    }

    private static final Set<String> KNOWN = Set.of("in_channels", "out_channels", "act_fn", "block_out_channels",
            "down_block_types", "up_block_types", "layers_per_block", "latent_channels", "norm_num_groups",
            "mid_block_add_attention", "use_quant_conv", "use_post_quant_conv", "scaling_factor", "shift_factor",
            "force_upcast", "latents_mean", "latents_std");

    private static IllegalArgumentException invalid(String field, String problem) {
        return new IllegalArgumentException("config.json field " + field + ": " + problem);
    }

    private static JsonNode present(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static int integer(JsonNode root, String field, int fallback) {
        JsonNode value = present(root, field);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber()) {
            throw invalid(field, value + " is not an integer");
        }
        return value.intValue();
    }

    private static double number(JsonNode root, String field, double fallback) {
        JsonNode value = present(root, field);
        if (value == null) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw invalid(field, value + " is not a number");
        }
        return value.doubleValue();
    }

    private static boolean bool(JsonNode root, String field, boolean fallback) {
        JsonNode value = present(root, field);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw invalid(field, value + " is not true or false");
        }
        return value.booleanValue();
    }

    private static List<Integer> intList(JsonNode root, String field, List<Integer> fallback) {
        JsonNode value = present(root, field);
        if (value == null) {
            return fallback;
        }
        if (!value.isArray() || value.isEmpty()) {
            throw invalid(field, value + " is not a list of integers");
        }
        List<Integer> list = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isIntegralNumber()) {
                throw invalid(field, value + " is not a list of integers");
            }
            list.add(item.intValue());
        }
        return list;
    }

    private static void requireValue(JsonNode root, String field, int expected) {
        int actual = integer(root, field, expected);
        if (actual != expected) {
            throw invalid(field, actual + " (only " + expected + " is supported: RGB images)");
        }
    }

    private static void requireText(JsonNode root, String field, String expected) {
        JsonNode value = present(root, field);
        if (value != null && !expected.equals(value.asText())) {
            throw invalid(field, "'" + value.asText() + "' (only '" + expected + "' is supported)");
        }
    }

    private static void requireAll(JsonNode root, String field, String expected, int count) {
        JsonNode value = present(root, field);
        if (value == null) {
            return;
        }
        if (!value.isArray() || value.size() != count) {
            throw invalid(field, value + " must list " + count + " block types, one per block_out_channels entry");
        }
        for (JsonNode item : value) {
            if (!expected.equals(item.asText())) {
                throw invalid(field, "'" + item.asText() + "' (only " + expected + " is supported)");
            }
        }
    }
}
