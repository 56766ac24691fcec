package io.latentflow.cli.stack;

import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EncodeRunOutcomeTest {

    /** Three encoder calls: two full batches of 4 and one cut short at 2 (by a checkpoint or the end of input). */
    @Test
    void batchSizesCountTheLatentsOfEachEncoderCall() {
        List<LatentRecord> latents = new ArrayList<>();
        int image = 0;
        for (int[] call : new int[][] {{1_000, 4}, {11_000, 4}, {21_000, 2}}) {
            for (int i = 0; i < call[1]; i++) {
                latents.add(latent("image-" + image++, Instant.ofEpochMilli(call[0])));
            }
        }
        EncodeRun.Outcome outcome = new EncodeRun.Outcome(latents.size(), List.of(), latents, List.of(), 30, null,
                List.of(), List.of(), 0);

        assertThat(outcome.batchSizes()).containsExactly(Map.entry(2, 1L), Map.entry(4, 2L));
        assertThat(outcome.steadyImagesPerSecond()).as("the first batch marks the start").isEqualTo(6 / 20.0);
    }

    private static LatentRecord latent(String imageId, Instant encodedAt) {
        return LatentRecord.newBuilder().setImageId(imageId).setModelVersion("v").setShape(List.of(4, 32, 32))
                .setShardUri("s3://b/k.tar").setMember(imageId + ".latent.npy")
                .setSummary(LatentSummary.newBuilder().setMean(0).setStd(1).setMin(-1).setMax(1).build())
                .setEventTime(Instant.EPOCH).setProcessingTime(encodedAt).build();
    }
}
