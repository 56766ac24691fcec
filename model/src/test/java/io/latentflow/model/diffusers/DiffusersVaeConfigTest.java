package io.latentflow.model.diffusers;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configs published with SD 1.5's and FLUX.1's VAEs, as diffusers writes them, read as diffusers reads them. */
class DiffusersVaeConfigTest {

    private static final String BLOCKS = "\"block_out_channels\": [128, 256, 512, 512],"
            + " \"down_block_types\": [\"DownEncoderBlock2D\", \"DownEncoderBlock2D\", \"DownEncoderBlock2D\","
            + " \"DownEncoderBlock2D\"], \"up_block_types\": [\"UpDecoderBlock2D\", \"UpDecoderBlock2D\","
            + " \"UpDecoderBlock2D\", \"UpDecoderBlock2D\"],";

    /** Stable Diffusion 1.5's vae/config.json: no scaling_factor, no quant flags (diffusers' defaults apply). */
    static final String SD15 = "{\"_class_name\": \"AutoencoderKL\", \"_diffusers_version\": \"0.6.0\","
            + " \"act_fn\": \"silu\", " + BLOCKS + " \"in_channels\": 3, \"latent_channels\": 4,"
            + " \"layers_per_block\": 2, \"norm_num_groups\": 32, \"out_channels\": 3, \"sample_size\": 512}";

    /** FLUX.1's vae/config.json. */
    static final String FLUX = "{\"_class_name\": \"AutoencoderKL\", \"_diffusers_version\": \"0.30.0.dev0\","
            + " \"act_fn\": \"silu\", " + BLOCKS + " \"force_upcast\": true, \"in_channels\": 3,"
            + " \"latent_channels\": 16, \"latents_mean\": null, \"latents_std\": null, \"layers_per_block\": 2,"
            + " \"mid_block_add_attention\": true, \"norm_num_groups\": 32, \"out_channels\": 3,"
            + " \"sample_size\": 1024, \"scaling_factor\": 0.3611, \"shift_factor\": 0.1159,"
            + " \"use_post_quant_conv\": false, \"use_quant_conv\": false}";

    @Test
    void stableDiffusionsConfigTakesDiffusersDefaultsAndHasItsPublishedParameterCount() {
        DiffusersVaeConfig sd = DiffusersVaeConfig.fromJson(SD15);

        assertThat(sd.scalingFactor()).isEqualTo(0.18215);
        assertThat(sd.shiftFactor()).isZero();
        assertThat(sd.useQuantConv()).isTrue();
        assertThat(sd.usePostQuantConv()).isTrue();
        assertThat(sd.midBlockAddAttention()).isTrue();
        assertThat(sd.downsamplingFactor()).isEqualTo(8);
        Map<String, long[]> tensors = DiffusersWeights.expected(sd);
        assertThat(tensors).hasSize(248);
        assertThat(parameters(tensors)).isEqualTo(83_653_863L);
    }

    @Test
    void fluxsConfigHasNoQuantConvsAShiftAndItsPublishedParameterCount() {
        DiffusersVaeConfig flux = DiffusersVaeConfig.fromJson(FLUX);

        assertThat(flux.latentChannels()).isEqualTo(16);
        assertThat(flux.scalingFactor()).isEqualTo(0.3611);
        assertThat(flux.shiftFactor()).isEqualTo(0.1159);
        assertThat(flux.useQuantConv()).isFalse();
        Map<String, long[]> tensors = DiffusersWeights.expected(flux);
        assertThat(tensors).hasSize(244).doesNotContainKey("quant_conv.weight");
        assertThat(parameters(tensors)).isEqualTo(83_819_683L);
    }

    @Test
    void aConfigWrittenBackReadsTheSame() {
        DiffusersVaeConfig flux = DiffusersVaeConfig.fromJson(FLUX);
        assertThat(DiffusersVaeConfig.fromJson(flux.toJson())).isEqualTo(flux);
    }

    @Test
    void whatThisImporterDoesNotComputeIsRefusedNamingTheField() {
        assertThatThrownBy(() -> DiffusersVaeConfig.fromJson(FLUX.replace("\"latents_mean\": null",
                "\"latents_mean\": [0.1, 0.2]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latents_mean");
        assertThatThrownBy(() -> DiffusersVaeConfig.fromJson("{\"_class_name\": \"AutoencoderKL\","
                + " \"block_out_channels\": [128, 256], \"norm_num_groups\": 32}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("config.json field block_out_channels: [128, 256] has 2 levels");
        assertThatThrownBy(() -> DiffusersVaeConfig.fromJson(SD15.replace("\"DownEncoderBlock2D\"]",
                "\"AttnDownEncoderBlock2D\"]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("config.json field down_block_types: 'AttnDownEncoderBlock2D'");
    }

    private static long parameters(Map<String, long[]> tensors) {
        long total = 0;
        for (long[] shape : tensors.values()) {
            long count = 1;
            for (long dimension : shape) {
                count *= dimension;
            }
            total += count;
        }
        return total;
    }
}
