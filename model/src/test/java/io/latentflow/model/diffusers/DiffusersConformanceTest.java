package io.latentflow.model.diffusers;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The imported network against PyTorch itself: fixtures written by model/src/test/python/make_diffusers_fixtures.py
 * (a transcription of diffusers' AutoencoderKL) for both families and all three weight dtypes.
 */
class DiffusersConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"sd-f32", "flux-f16", "sdxl-bf16-old-names", "sd3-no-attention-f32"})
    void posteriorMeanAndDecodeMatchPyTorch(String fixture) throws IOException {
        Path folder = ReferenceArrays.FIXTURES.resolve(fixture);
        DiffusersVaeConfig config = DiffusersVaeConfig.read(folder.resolve("config.json"));
        Map<String, Safetensors.Tensor> checkpoint = Safetensors.read(
                folder.resolve("diffusion_pytorch_model.safetensors"));
        ReferenceArrays images = ReferenceArrays.read(ReferenceArrays.FIXTURES.resolve("images.npy"));
        ReferenceArrays mean = ReferenceArrays.read(folder.resolve("mean.npy"));
        ReferenceArrays decoded = ReferenceArrays.read(folder.resolve("decode.npy"));

        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            DiffusersAutoencoderKl vae = DiffusersAutoencoderKl.load(config, checkpoint, manager);
            NDArray x = manager.create(FloatBuffer.wrap(images.values()), new Shape(images.shape()));
            NDArray latents = vae.posteriorMean(x);
            assertThat(latents.getShape()).isEqualTo(new Shape(mean.shape()));
            double latentError = ReferenceArrays.relativeError(latents.toFloatArray(), mean.values());
            System.out.printf("%s: posterior mean relative error %.2e%n", fixture, latentError);
            assertThat(latentError)
                    .as("posterior mean, relative to PyTorch").isLessThanOrEqualTo(1e-4);

            NDArray z = manager.create(FloatBuffer.wrap(mean.values()), new Shape(mean.shape()));
            NDArray images2 = vae.decode(z);
            assertThat(images2.getShape()).isEqualTo(new Shape(decoded.shape()));
            double decodeError = ReferenceArrays.maxAbsoluteError(images2.toFloatArray(), decoded.values());
            System.out.printf("%s: decode max absolute error %.2e%n", fixture, decodeError);
            assertThat(decodeError)
                    .as("decode, [-1, 1] pixel units").isLessThanOrEqualTo(1.0 / 255);
        }
    }
}
