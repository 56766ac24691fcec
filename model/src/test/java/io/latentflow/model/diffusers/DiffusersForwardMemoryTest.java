package io.latentflow.model.diffusers;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pass through the imported network keeps no activation of a stage it has left: each resnet, attention and
 * resampler frees its intermediates and its input when it returns, so the memory of a pass is that of its largest
 * stage, not of the whole network (the full SD encoder at 512 px would otherwise hold gigabytes per image).
 */
class DiffusersForwardMemoryTest {

    @Test
    void encodeAndDecodeLeaveOnlyTheirInputAndResultAlive() throws IOException {
        Path folder = ReferenceArrays.FIXTURES.resolve("sd-f32");
        DiffusersVaeConfig config = DiffusersVaeConfig.read(folder.resolve("config.json"));
        try (NDManager weights = Engine.getEngine("PyTorch").newBaseManager();
             NDManager call = weights.newSubManager()) {
            DiffusersAutoencoderKl vae = DiffusersAutoencoderKl.load(config,
                    Safetensors.read(folder.resolve("diffusion_pytorch_model.safetensors")), weights);
            NDArray images = call.randomUniform(-1, 1, new Shape(2, 3, 32, 32));

            NDArray latents = vae.posteriorMean(images);
            int afterEncode = call.getManagedArrays().size();
            vae.decode(latents);
            int afterDecode = call.getManagedArrays().size() - afterEncode;

            // what is left: the images, conv_out's moments, quant_conv's output and the mean sliced from it
            assertThat(afterEncode).as("arrays alive after the encoder's pass").isLessThanOrEqualTo(4);
            // post_quant_conv's output and conv_out's images
            assertThat(afterDecode).as("arrays alive after the decoder's pass").isLessThanOrEqualTo(2);
        }
    }
}
