package io.latentflow.model.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentSpace;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A diffusers AutoencoderKL checkpoint, checked in full, and the latentflow model version made of it. The version's
 * {@code config.json} says where it came from, keeps diffusers' config as it was read, the scale and shift applied to
 * served latents, and the architecture in latentflow's terms; {@code encoder.params} (encoder and quant_conv) and
 * {@code decoder.params} (post_quant_conv and decoder) are float32 safetensors under diffusers' current tensor names,
 * so a PyTorch user can load them back with {@code safetensors.torch.load_file}.
 *
 * @param config  the checkpoint's config
 * @param weights every tensor, under today's names, checked against the config ({@link DiffusersWeights#canonical})
 */
public record ImportedVae(DiffusersVaeConfig config, Map<String, Safetensors.Tensor> weights) {

    public static final String IMPORTED_FROM = "diffusers AutoencoderKL";
    public static final String CHECKPOINT_CONFIG = "config.json";
    public static final String CHECKPOINT_WEIGHTS = "diffusion_pytorch_model.safetensors";
    public static final String CHECKPOINT_WEIGHTS_FP16 = "diffusion_pytorch_model.fp16.safetensors";
    private static final String PIPELINE_SUBFOLDER = "vae";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Reads and checks a checkpoint folder ({@value #CHECKPOINT_CONFIG} + {@value #CHECKPOINT_WEIGHTS}), or a pipeline
     * folder whose {@code vae/} holds them.
     *
     * @throws IllegalArgumentException naming the file, field or tensor that is wrong; nothing has been written
     */
    public static ImportedVae read(Path source) throws IOException {
        Path folder = checkpointFolder(source);
        DiffusersVaeConfig config;
        try {
            config = DiffusersVaeConfig.read(folder.resolve(CHECKPOINT_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(folder.resolve(CHECKPOINT_CONFIG) + ": " + e.getMessage(), e);
        }
        Path weightsFile = weightsFile(folder).orElseThrow();
        Map<String, Safetensors.Tensor> checkpoint = Safetensors.read(weightsFile);
        try {
            return new ImportedVae(config, DiffusersWeights.canonical(config, checkpoint));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(weightsFile + ": " + e.getMessage(), e);
        }
    }

    private static Path checkpointFolder(Path source) {
        if (!Files.isDirectory(source)) {
            throw new IllegalArgumentException(source + " is not a folder: pass a diffusers AutoencoderKL folder ("
                    + CHECKPOINT_CONFIG + " + " + CHECKPOINT_WEIGHTS + ") or a pipeline folder with "
                    + PIPELINE_SUBFOLDER + "/");
        }
        for (Path folder : List.of(source, source.resolve(PIPELINE_SUBFOLDER))) {
            if (Files.isRegularFile(folder.resolve(CHECKPOINT_CONFIG)) && weightsFile(folder).isPresent()) {
                return folder;
            }
        }
        throw new IllegalArgumentException(source + " holds no " + CHECKPOINT_CONFIG + " + " + CHECKPOINT_WEIGHTS
                + ", nor a " + PIPELINE_SUBFOLDER + "/ folder with them (other weight formats, e.g. .bin or .ckpt, are"
                + " not read: save the VAE with diffusers' save_pretrained first)");
    }

    /** The full-precision weights, else the fp16 variant that many published repositories carry alone. */
    private static Optional<Path> weightsFile(Path folder) {
        return Stream.of(CHECKPOINT_WEIGHTS, CHECKPOINT_WEIGHTS_FP16).map(folder::resolve).filter(Files::isRegularFile)
                .findFirst();
    }

    /**
     * The latent space of this VAE served as latentflow serves it (see {@link LatentSpace}): the encoder and
     * quant_conv weights as float32, the scale and the shift. Independent of the dtype the checkpoint stored them in
     * once they are equal as float32.
     */
    public String latentSpace() {
        return LatentSpace.of(config.scalingFactor(), config.shiftFactor(), out -> {
            for (Safetensors.Tensor tensor : weights.values()) {
                if (isEncoderSide(tensor.name())) {
                    out.writeUTF(tensor.name());
                    for (long dimension : tensor.shape()) {
                        out.writeLong(dimension);
                    }
                    for (float value : tensor.values()) {
                        out.writeInt(Float.floatToRawIntBits(value));
                    }
                }
            }
        });
    }

    /** Parameters in the network. */
    public long parameterCount() {
        return weights.values().stream().mapToLong(Safetensors.Tensor::elementCount).sum();
    }

    /**
     * Writes the checkpoint as a latentflow model version into {@code dir} (which must not exist or be empty).
     *
     * @param version the version id, or null for {@code diffusers-kl-f<f>c<c>-<12 hex of the content hash>}
     */
    public Manifest save(Path dir, String version) throws IOException {
        Map<String, Safetensors.Tensor> encoder = new LinkedHashMap<>();
        Map<String, Safetensors.Tensor> decoder = new LinkedHashMap<>();
        weights.forEach((name, tensor) -> (isEncoderSide(name) ? encoder : decoder).put(name, tensor));
        Map<String, ModelDirectory.FileContent> files = new LinkedHashMap<>();
        files.put(ModelDirectory.ENCODER_PARAMS, file -> Safetensors.writeF32(file, encoder));
        files.put(ModelDirectory.DECODER_PARAMS, file -> Safetensors.writeF32(file, decoder));
        files.put(ModelDirectory.CONFIG, file -> Files.writeString(file, configJson()));
        files.put(ModelDirectory.METRICS, file -> Files.writeString(file, "{}"));
        AutoencoderConfig architecture = config.architecture();
        return ModelDirectory.saveFiles(dir, version, "diffusers-kl-f" + architecture.downsamplingFactor() + "c"
                + architecture.latentChannels(), files);
    }

    /** The version's config.json. */
    public String configJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put(AutoencoderConfig.IMPORTED_FROM, IMPORTED_FROM);
        root.put("scalingFactor", config.scalingFactor());
        root.put("shiftFactor", config.shiftFactor());
        // for readers of the directory; serving computes it from the weights it loads
        root.put("latentSpace", latentSpace());
        root.set("diffusers", config.toJson());
        try {
            root.set(AutoencoderConfig.IMPORTED_ARCHITECTURE, JSON.readTree(config.architecture().toJson()));
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the config of an imported VAE", e);
        }
    }

    /**
     * The diffusers config of a saved version's {@code config.json}, or empty when the version is one of latentflow's
     * own models.
     */
    public static Optional<DiffusersVaeConfig> savedConfig(Path configFile) throws IOException {
        JsonNode root = JSON.readTree(Files.readString(configFile));
        if (root == null || !IMPORTED_FROM.equals(root.path(AutoencoderConfig.IMPORTED_FROM).asText(null))) {
            return Optional.empty();
        }
        return Optional.of(DiffusersVaeConfig.fromJson(root.path("diffusers")));
    }

    /** Reads back the weights of a version written by {@link #save} (its directory already verified). */
    public static ImportedVae load(Path modelDir, DiffusersVaeConfig config) throws IOException {
        Map<String, Safetensors.Tensor> all = new LinkedHashMap<>(
                Safetensors.read(modelDir.resolve(ModelDirectory.ENCODER_PARAMS)));
        all.putAll(Safetensors.read(modelDir.resolve(ModelDirectory.DECODER_PARAMS)));
        return new ImportedVae(config, DiffusersWeights.canonical(config, all));
    }

    /** True for the weights that make the latents (encoder and quant_conv): what a decoder-only fine-tune keeps. */
    public static boolean isEncoderSide(String name) {
        return name.startsWith("encoder.") || name.startsWith("quant_conv.");
    }
}
