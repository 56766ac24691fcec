package io.latentflow.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AutoencoderConfigTest {

    @Test
    void presetsDescribeTheRecipes() {
        assertThat(AutoencoderConfig.boundedF8C8().latentChannels()).isEqualTo(8);
        assertThat(AutoencoderConfig.boundedF8C8().channelWidths()).containsExactly(16, 32, 64, 64);
        assertThat(AutoencoderConfig.boundedF8C4().encoderOutputChannels()).isEqualTo(4);
        assertThat(AutoencoderConfig.klVaeF8C4().encoderOutputChannels()).isEqualTo(8);
        assertThat(AutoencoderConfig.of(LatentKind.BOUNDED, 16, 16).channelWidths()).containsExactly(16, 32, 64, 64, 64);
    }

    @Test
    void jsonRoundTripGivesTheSameConfig() {
        AutoencoderConfig config = new AutoencoderConfig(16, 16, List.of(8, 16, 32, 32, 64), 2,
                Normalization.none(), LatentKind.KL);
        String json = config.toJson();
        assertThat(json).contains("\"downsamplingFactor\"", "\"KL\"").doesNotContain("shortName", "levels");
        assertThat(AutoencoderConfig.fromJson(json)).isEqualTo(config);
        assertThat(AutoencoderConfig.fromJson(AutoencoderConfig.boundedF8C8().toJson()))
                .isEqualTo(AutoencoderConfig.boundedF8C8());
    }

    @Test
    void invalidValuesAreRefusedWithTheFieldName() {
        assertThatThrownBy(() -> AutoencoderConfig.of(LatentKind.BOUNDED, 4, 8))
                .hasMessageContaining("downsamplingFactor is 4");
        assertThatThrownBy(() -> AutoencoderConfig.of(LatentKind.BOUNDED, 8, 6))
                .hasMessageContaining("latentChannels is 6");
        assertThatThrownBy(() -> new AutoencoderConfig(8, 8, List.of(16, 32, 64), 1, Normalization.group(8),
                LatentKind.BOUNDED)).hasMessageContaining("needs exactly 4 widths");
        assertThatThrownBy(() -> new AutoencoderConfig(8, 8, List.of(16, 32, 64, 60), 1, Normalization.group(8),
                LatentKind.BOUNDED)).hasMessageContaining("not divisible by normalization.groups 8");
        assertThatThrownBy(() -> AutoencoderConfig.fromJson("{\"downsamplingFactor\":8,\"latentChannels\":3}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latentChannels is 3");
    }
}
