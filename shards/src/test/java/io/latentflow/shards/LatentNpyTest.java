package io.latentflow.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LatentNpyTest {

    @Test
    void readsWhatTheShardWriterWrites() {
        float[] values = new float[2 * 3 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i - 12) / 8f; // exact in float16
        }

        LatentNpy latent = LatentNpy.parse(Npy.float16(values, 2, 3, 4), "test.npy");

        assertThat(latent.channels()).isEqualTo(2);
        assertThat(latent.height()).isEqualTo(3);
        assertThat(latent.width()).isEqualTo(4);
        assertThat(latent.values()).containsExactly(values);
    }

    @Test
    void refusesWhatIsNotALatentNamingIt() {
        byte[] good = Npy.float16(new float[8], 2, 2, 2);

        assertThatThrownBy(() -> LatentNpy.parse("not numpy".getBytes(StandardCharsets.US_ASCII), "shard.tar member x"))
                .hasMessageContaining("shard.tar member x is not a .npy file");
        assertThatThrownBy(() -> LatentNpy.parse(Arrays.copyOf(good, good.length - 1), "x.npy"))
                .hasMessageContaining("x.npy is truncated");
        assertThatThrownBy(() -> LatentNpy.parse(Npy.float16(new float[4], 2, 2), "flat.npy"))
                .hasMessageContaining("flat.npy has shape [2, 2]");
    }
}
