package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentSummary;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code status}'s latentSpace: the serving version's, from its latest latent, else from its PUBLISHED event. */
class StatusLatentSpaceTest {

    @Test
    void theServingVersionsLatestLatentSaysItElseItsPublishedEvent() {
        List<LatentRecord> latents = List.of(latent("v1", "ls-1111111111111111"), latent("v2", ""),
                latent("v1", "ls-1111111111111111"));
        List<ModelEvent> events = List.of(published("v2", "ls-2222222222222222"), published("v3", null));

        assertThat(StatusCommand.latentSpaceOf("v1", latents, events)).isEqualTo("ls-1111111111111111");
        assertThat(StatusCommand.latentSpaceOf("v2", latents, events)).isEqualTo("ls-2222222222222222");
        assertThat(StatusCommand.latentSpaceOf("v3", latents, events)).as("published before versions carried it")
                .isNull();
    }

    private static LatentRecord latent(String version, String latentSpace) {
        return LatentRecord.newBuilder().setImageId("i").setModelVersion(version).setShape(List.of(4, 8, 8))
                .setShardUri("s3://b/k.tar").setMember("i.latent.npy")
                .setSummary(LatentSummary.newBuilder().setMean(0).setStd(1).setMin(-1).setMax(1).build())
                .setEventTime(Instant.EPOCH).setProcessingTime(Instant.EPOCH).setLatentSpace(latentSpace).build();
    }

    private static ModelEvent published(String version, String latentSpace) {
        return ModelEvent.newBuilder().setEventId(version).setVersion(version).setType(ModelEventType.PUBLISHED)
                .setTime(Instant.EPOCH).setAttributes(latentSpace == null ? Map.of() : Map.of("latentSpace",
                        latentSpace)).build();
    }
}
