package io.latentflow.model.flops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentKind;
import io.latentflow.model.Normalization;
import io.latentflow.model.diffusers.DiffusersVaeConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkFlopsTest {

    private static final Path FIXTURES = Path.of("src/test/resources/diffusers");

    /** 2 x multiply-adds of a k x k convolution from cin to cout channels producing side x side. */
    private static long conv(int k, int cin, int cout, int side) {
        return 2L * k * k * cin * cout * side * side;
    }

    @Test
    void countsEveryConvolutionOfAnOwnAutoencoderAsAHandCountDoes() {
        AutoencoderConfig config = new AutoencoderConfig(8, 4, List.of(8, 16, 16, 16), 1, Normalization.group(8),
                LatentKind.BOUNDED);

        NetworkFlops flops = NetworkFlops.of(config, 16);

        long encoder = conv(3, 3, 8, 16)                                             // conv_in
                + 2 * conv(3, 8, 8, 16)                                              // down0_res0
                + conv(3, 8, 8, 8)                                                   // down0_downsample
                + conv(3, 8, 16, 8) + conv(3, 16, 16, 8) + conv(1, 8, 16, 8)         // down1_res0, with skip
                + conv(3, 16, 16, 4)                                                 // down1_downsample
                + 2 * conv(3, 16, 16, 4)                                             // down2_res0
                + conv(3, 16, 16, 2)                                                 // down2_downsample
                + 2 * conv(3, 16, 16, 2)                                             // down3_res0
                + 2 * conv(3, 16, 16, 2)                                             // mid_res
                + conv(3, 16, 4, 2);                                                 // out: c = 4 bounded channels
        long decoder = conv(3, 4, 16, 2)                                             // conv_in
                + 2 * conv(3, 16, 16, 2)                                             // mid_res
                + 2 * conv(3, 16, 16, 2) + conv(3, 16, 16, 4)                        // up3_res0, up3_upsample
                + 2 * conv(3, 16, 16, 4) + conv(3, 16, 16, 8)                        // up2
                + 2 * conv(3, 16, 16, 8) + conv(3, 16, 16, 16)                       // up1
                + conv(3, 16, 8, 16) + conv(3, 8, 8, 16) + conv(1, 16, 8, 16)        // up0_res0, with skip
                + conv(3, 8, 3, 16);                                                 // out
        assertThat(flops.encoder()).isEqualTo(encoder).isEqualTo(1_550_848L);
        assertThat(flops.decoder()).isEqualTo(decoder).isEqualTo(3_424_768L);
        assertThat(flops.trainStep()).isEqualTo(3 * (encoder + decoder));
    }

    @Test
    void aKlHeadDoublesTheEncodersLastConvolutionOnly() {
        AutoencoderConfig bounded = AutoencoderConfig.of(LatentKind.BOUNDED, 8, 4);
        AutoencoderConfig kl = AutoencoderConfig.klVaeF8C4();

        NetworkFlops boundedFlops = NetworkFlops.of(bounded, 64);
        NetworkFlops klFlops = NetworkFlops.of(kl, 64);

        assertThat(klFlops.encoder() - boundedFlops.encoder()).isEqualTo(conv(3, 64, 4, 8));
        assertThat(klFlops.decoder()).isEqualTo(boundedFlops.decoder());
    }

    @Test
    void theDefaultModelsEncoderCostsAboutTwoGigaflopsAt256Pixels() {
        NetworkFlops flops = NetworkFlops.of(AutoencoderConfig.boundedF8C8(), 256);

        assertThat(flops.encoderGflops()).isBetween(2.0, 2.2);
        // Every layer's cost scales with the pixels: 4x the side, 16x the FLOPs.
        assertThat(flops.encoder()).isEqualTo(16 * NetworkFlops.of(AutoencoderConfig.boundedF8C8(), 64).encoder());
    }

    /**
     * flops.json is PyTorch's own count (forward hooks on every Conv2d and Linear, the attention's matrix products
     * wrapped) of the reference network of make_diffusers_fixtures.py, attention and quant convs included.
     */
    @Test
    void countsImportedDiffusersVaesAsPytorchHooksCountTheReferenceNetwork() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(FIXTURES.resolve("flops.json").toFile());
        int side = reference.get("side").asInt();

        assertThat(reference.get("flops").size()).isEqualTo(4);
        for (Map.Entry<String, JsonNode> fixture : (Iterable<Map.Entry<String, JsonNode>>)
                reference.get("flops")::fields) {
            DiffusersVaeConfig config = DiffusersVaeConfig.read(FIXTURES.resolve(fixture.getKey()).resolve(
                    "config.json"));

            NetworkFlops flops = NetworkFlops.of(config, side);

            assertThat(flops.encoder()).as(fixture.getKey() + " encoder")
                    .isEqualTo(fixture.getValue().get("encoder").asLong());
            assertThat(flops.decoder()).as(fixture.getKey() + " decoder")
                    .isEqualTo(fixture.getValue().get("decoder").asLong());
        }
    }

    @Test
    void refusesASideTheNetworkCannotDownsample() {
        assertThatThrownBy(() -> NetworkFlops.of(AutoencoderConfig.boundedF8C8(), 36))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("36")
                .hasMessageContaining("downsampling factor 8");
    }
}
