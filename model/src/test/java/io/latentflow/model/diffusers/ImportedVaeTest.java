package io.latentflow.model.diffusers;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A diffusers checkpoint imported as a latentflow version serves diffusion-ready latents; a bad one is refused. */
class ImportedVaeTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"sd-f32", "flux-f16", "sdxl-bf16-old-names", "sd3-no-attention-f32"})
    void anImportedVersionServesScaledShiftedMeansAndDecodesThem(String fixture) throws IOException {
        Path source = ReferenceArrays.FIXTURES.resolve(fixture);
        ImportedVae vae = ImportedVae.read(source);
        Manifest manifest = vae.save(temp.resolve("model"), null);
        DiffusersVaeConfig config = vae.config();
        ReferenceArrays images = ReferenceArrays.read(ReferenceArrays.FIXTURES.resolve("images.npy"));
        ReferenceArrays mean = ReferenceArrays.read(source.resolve("mean.npy"));
        ReferenceArrays decoded = ReferenceArrays.read(source.resolve("decode.npy"));
        float[] diffusionReady = new float[mean.values().length];
        for (int i = 0; i < diffusionReady.length; i++) {
            diffusionReady[i] = (float) ((mean.values()[i] - config.shiftFactor()) * config.scalingFactor());
        }
        float[] clipped = decoded.values().clone();
        for (int i = 0; i < clipped.length; i++) {
            clipped[i] = Math.max(-1f, Math.min(1f, clipped[i]));
        }
        int batch = (int) images.shape()[0];
        int side = (int) images.shape()[2];

        assertThat(manifest.version()).startsWith("diffusers-kl-f8c" + config.latentChannels() + "-");
        assertThat(AutoencoderConfig.read(temp.resolve("model").resolve("config.json")))
                .as("what the jobs read for f and c").isEqualTo(config.architecture());
        try (ServingModel model = ServingModel.load(temp.resolve("model"));
             LatentEncoder encoder = model.newEncoder(); LatentDecoder decoder = model.newDecoder()) {
            assertThat(model.scalingFactor()).isEqualTo(config.scalingFactor());
            assertThat(model.shiftFactor()).isEqualTo(config.shiftFactor());
            assertThat(model.config().latentChannels()).isEqualTo(config.latentChannels());
            float[] latents = encoder.encode(images.values(), batch, side, side);
            assertThat(ReferenceArrays.relativeError(latents, diffusionReady)).isLessThanOrEqualTo(1e-4);
            float[] reconstructed = decoder.decode(diffusionReady, batch, side / 8, side / 8);
            assertThat(ReferenceArrays.maxAbsoluteError(reconstructed, clipped)).isLessThanOrEqualTo(1.0 / 255);
        }
    }

    @Test
    void theLatentSpaceFollowsTheEncoderSideAndTheFactorsNotTheDecoderOrTheVersionId() throws IOException {
        Path original = copyOf("sd-f32");
        Path decoderChanged = copyOf("sd-f32");
        rewriteWeights(decoderChanged, tensors -> tensors.get("decoder.conv_out.bias").values()[0] += 0.5f);
        Path encoderChanged = copyOf("sd-f32");
        rewriteWeights(encoderChanged, tensors -> tensors.get("quant_conv.bias").values()[0] += 0.5f);
        Path rescaled = copyOf("sd-f32");
        replaceInConfig(rescaled, "0.18215", "0.13025");

        String space = servedLatentSpace(original, "a");
        assertThat(space).startsWith("ls-");
        assertThat(servedLatentSpace(original, "b")).isEqualTo(space);
        assertThat(servedLatentSpace(decoderChanged, "c")).isEqualTo(space);
        assertThat(servedLatentSpace(encoderChanged, "d")).isNotEqualTo(space);
        assertThat(servedLatentSpace(rescaled, "e")).isNotEqualTo(space);
    }

    private String servedLatentSpace(Path source, String version) throws IOException {
        Path dir = temp.resolve("space-" + version);
        ImportedVae.read(source).save(dir, version);
        try (ServingModel model = ServingModel.load(dir)) {
            return model.latentSpace();
        }
    }

    @Test
    void ownModelsNeedNoScaleOrShift() throws IOException {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 1, "own")) {
            assertThat(model.scalingFactor()).isEqualTo(1.0);
            assertThat(model.shiftFactor()).isEqualTo(0.0);
            try (ServingModel same = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 1, "same");
                 ServingModel other = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 2, "other")) {
                assertThat(same.latentSpace()).isEqualTo(model.latentSpace());
                assertThat(other.latentSpace()).isNotEqualTo(model.latentSpace());
            }
            model.save(temp.resolve("own"), "{}");
            try (ServingModel reloaded = ServingModel.load(temp.resolve("own"))) {
                assertThat(reloaded.latentSpace()).isEqualTo(model.latentSpace());
            }
        }
    }

    @Test
    void anotherClassIsRefusedNamingTheField() throws IOException {
        Path source = copyOf("sd-f32");
        replaceInConfig(source, "\"AutoencoderKL\"", "\"AutoencoderTiny\"");
        assertRefused(source, "_class_name", "AutoencoderTiny");
    }

    @Test
    void anUnsupportedValueIsRefusedNamingTheField() throws IOException {
        Path source = copyOf("sd-f32");
        replaceInConfig(source, "\"silu\"", "\"gelu\"");
        assertRefused(source, "act_fn", "gelu");
        Path unknown = copyOf("flux-f16");
        replaceInConfig(unknown, "\"force_upcast\"", "\"use_tiling_by_default\"");
        assertRefused(unknown, "use_tiling_by_default");
    }

    @Test
    void aMissingTensorIsRefusedNamingIt() throws IOException {
        Path source = copyOf("sd-f32");
        rewriteWeights(source, tensors -> tensors.remove("decoder.up_blocks.1.resnets.0.conv2.bias"));
        assertRefused(source, "missing", "decoder.up_blocks.1.resnets.0.conv2.bias");
    }

    @Test
    void anExtraTensorIsRefusedNamingIt() throws IOException {
        Path source = copyOf("sd-f32");
        rewriteWeights(source, puttingZeros("encoder.mid_block.resnets.2.norm1.weight", 16));
        assertRefused(source, "unexpected", "encoder.mid_block.resnets.2.norm1.weight");
    }

    @Test
    void aMisshapedTensorIsRefusedNamingIt() throws IOException {
        Path source = copyOf("sdxl-bf16-old-names");
        rewriteWeights(source, puttingZeros("encoder.mid_block.attentions.0.query.bias", 8));
        assertRefused(source, "encoder.mid_block.attentions.0.query.bias", "[8]", "[16]");
    }

    @Test
    void aTruncatedFileIsRefusedNamingTheTensorCut() throws IOException {
        Path source = copyOf("sd-f32");
        Path weights = source.resolve(ImportedVae.CHECKPOINT_WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 100));
        assertRefused(source, "truncated", "quant_conv.bias");
    }

    @Test
    void anUnknownDtypeIsRefusedNamingTheTensor() throws IOException {
        Path source = copyOf("sd-f32");
        Path weights = source.resolve(ImportedVae.CHECKPOINT_WEIGHTS);
        String header = new String(Files.readAllBytes(weights), java.nio.charset.StandardCharsets.ISO_8859_1);
        // Same byte length, so every offset stays valid: only the first tensor's dtype changes.
        Files.write(weights, header.replaceFirst("\"F32\"", "\"I32\"").getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1));
        assertRefused(source, "I32", "encoder.conv_in.weight");
    }

    @Test
    void aPipelineFolderIsImportedFromItsVaeSubfolderAndItsFp16VariantIfThatIsAllItHas() throws IOException {
        Path pipeline = temp.resolve("pipeline");
        copyFolder(ReferenceArrays.FIXTURES.resolve("flux-f16"), pipeline.resolve("vae"));
        assertThat(ImportedVae.read(pipeline).config().latentChannels()).isEqualTo(16);
        String space = ImportedVae.read(pipeline).latentSpace();

        Files.move(pipeline.resolve("vae").resolve(ImportedVae.CHECKPOINT_WEIGHTS),
                pipeline.resolve("vae").resolve(ImportedVae.CHECKPOINT_WEIGHTS_FP16));
        assertThat(ImportedVae.read(pipeline).latentSpace()).isEqualTo(space);
    }

    @Test
    void aFolderWithoutACheckpointIsRefusedSayingWhatItNeeds() throws IOException {
        Path empty = Files.createDirectories(temp.resolve("empty"));
        assertRefused(empty, "holds no config.json + diffusion_pytorch_model.safetensors", "save_pretrained");
    }

    private void assertRefused(Path source, String... expectedInMessage) {
        Path out = temp.resolve("refused-" + source.getFileName());
        assertThatThrownBy(() -> ImportedVae.read(source).save(out, null))
                .isInstanceOf(IllegalArgumentException.class)
                .message().contains(expectedInMessage);
        assertThat(out).doesNotExist();
    }

    private interface TensorEdit {
        void apply(Map<String, Safetensors.Tensor> tensors);
    }

    private static void rewriteWeights(Path source, TensorEdit edit) throws IOException {
        Path file = source.resolve(ImportedVae.CHECKPOINT_WEIGHTS);
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>(Safetensors.read(file));
        edit.apply(tensors);
        Safetensors.writeF32(file, tensors);
    }

    /** Puts a float32 vector of {@code length} zeros under {@code name}, in place of any tensor of that name. */
    private static TensorEdit puttingZeros(String name, int length) {
        return tensors -> tensors.put(name, new Safetensors.Tensor(name, "F32", new long[] {length}, new float[length]));
    }

    private static void replaceInConfig(Path source, String from, String to) throws IOException {
        Path config = source.resolve(ImportedVae.CHECKPOINT_CONFIG);
        String text = Files.readString(config);
        assertThat(text).contains(from);
        Files.writeString(config, text.replace(from, to));
    }

    private Path copyOf(String fixture) throws IOException {
        Path copy = temp.resolve(fixture + "-" + System.nanoTime());
        copyFolder(ReferenceArrays.FIXTURES.resolve(fixture), copy);
        return copy;
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String name : new String[] {ImportedVae.CHECKPOINT_CONFIG, ImportedVae.CHECKPOINT_WEIGHTS}) {
            Files.copy(from.resolve(name), to.resolve(name));
        }
    }
}
