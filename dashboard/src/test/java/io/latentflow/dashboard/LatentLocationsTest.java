package io.latentflow.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentSummary;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatentLocationsTest {

    @Test
    void theNewestLatentsKeepTheirInlineBytesWithinTheBudgetAndOlderOnesTheirShardOnly() {
        LatentLocations locations = new LatentLocations(10, 250);
        for (int i = 0; i < 4; i++) {
            locations.add(record("img-" + i, new byte[100]));
        }

        assertThat(locations.find("m", "img-3").orElseThrow().npy()).hasSize(100);
        assertThat(locations.find("m", "img-2").orElseThrow().npy()).hasSize(100);
        assertThat(locations.find("m", "img-1").orElseThrow().npy()).as("over the budget").isNull();
        assertThat(locations.find("m", "img-1").orElseThrow().member()).isEqualTo("img-1.latent.npy");
    }

    @Test
    void aLatentForgottenForANewerOneFreesItsInlineBytes() {
        LatentLocations locations = new LatentLocations(2, 250);
        locations.add(record("img-0", new byte[100]));
        locations.add(record("img-1", new byte[100]));
        locations.add(record("img-2", new byte[100])); // img-0 leaves, and its bytes with it
        locations.add(record("img-1", new byte[100])); // re-encoded: replaces its own bytes

        assertThat(locations.find("m", "img-0")).isEmpty();
        assertThat(locations.find("m", "img-2").orElseThrow().npy()).hasSize(100);
        assertThat(locations.find("m", "img-1").orElseThrow().npy()).hasSize(100);
    }

    private static LatentRecord record(String imageId, byte[] npy) {
        return LatentRecord.newBuilder()
                .setImageId(imageId).setModelVersion("m").setShape(List.of(1, 1, 1))
                .setShardUri("s3://b/latents/model=m/part-0.tar").setMember(imageId + ".latent.npy")
                .setSummary(new LatentSummary(0f, 0f, 0f, 0f, 0f))
                .setEventTime(Instant.EPOCH).setProcessingTime(Instant.EPOCH)
                .setLatentNpy(ByteBuffer.wrap(npy)).setLatentInStorageOnly(false)
                .build();
    }
}
