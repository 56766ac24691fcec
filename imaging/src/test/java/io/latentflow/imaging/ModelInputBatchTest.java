package io.latentflow.imaging;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelInputBatchTest {

    @Test
    void laysOutABatchAsNchwInTheUnitRange() {
        // two 2x2 images; pixel p of image n has R = 10n + p, G = 0, B = 255
        byte[] first = new byte[12];
        byte[] second = new byte[12];
        for (int p = 0; p < 4; p++) {
            first[3 * p] = (byte) p;
            first[3 * p + 2] = (byte) 255;
            second[3 * p] = (byte) (10 + p);
            second[3 * p + 2] = (byte) 255;
        }
        float[] nchw = ModelInputBatch.toNchw(List.of(first, second), 2);
        assertThat(nchw).hasSize(2 * 3 * 2 * 2);
        for (int n = 0; n < 2; n++) {
            for (int p = 0; p < 4; p++) {
                assertThat(nchw[(n * 3) * 4 + p]).isEqualTo((10 * n + p) / 127.5f - 1f);
                assertThat(nchw[(n * 3 + 1) * 4 + p]).isEqualTo(-1f);
                assertThat(nchw[(n * 3 + 2) * 4 + p]).isEqualTo(1f);
            }
        }
    }

    @Test
    void fillsAReusedBufferAndChecksSizes() {
        float[] buffer = new float[3 * 4 + 1];
        buffer[12] = 42f;
        ModelInputBatch.toNchw(List.of(new byte[12]), 2, buffer);
        assertThat(buffer[0]).isEqualTo(-1f);
        assertThat(buffer[12]).as("beyond the batch").isEqualTo(42f);
        assertThatThrownBy(() -> ModelInputBatch.toNchw(List.of(new byte[11]), 2))
                .hasMessageContaining("image 0").hasMessageContaining("expected 12");
        assertThatThrownBy(() -> ModelInputBatch.toNchw(List.of(new byte[12], new byte[12]), 2, new float[12]))
                .hasMessageContaining("needs 24");
    }
}
