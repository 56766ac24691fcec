package io.latentflow.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which version serves an image stamped t, as the model-events log says: the same answer for every reader. */
class ServingTimelineTest {

    @Test
    void eachImageGetsTheVersionInEffectAtItsTimestamp() {
        ServingTimeline timeline = ServingTimeline.of(List.of(
                event("a", ModelEventType.PUBLISHED, 0, null),
                event("a", ModelEventType.PROMOTED, 100, 110L),
                event("b", ModelEventType.PUBLISHED, 200, null),
                event("b", ModelEventType.PROMOTED, 300, 310L)));

        assertThat(timeline.versionAt(109)).isEmpty(); // the job's own model
        assertThat(timeline.versionAt(110)).contains("a");
        assertThat(timeline.versionAt(309)).contains("a");
        assertThat(timeline.versionAt(310)).contains("b");
        assertThat(timeline.latest()).contains("b");
    }

    @Test
    void aRollbackReturnsToThePreviousVersionFromItsOwnEffectiveTime() {
        ServingTimeline timeline = ServingTimeline.of(List.of(
                event("a", ModelEventType.PROMOTED, 100, 110L),
                event("b", ModelEventType.PROMOTED, 300, 310L),
                event("b", ModelEventType.ROLLED_BACK, 400, 410L),
                event("a", ModelEventType.ROLLED_BACK, 500, 510L)));

        assertThat(timeline.versionAt(405)).contains("b");
        assertThat(timeline.versionAt(410)).contains("a");
        assertThat(timeline.versionAt(510)).isEmpty();
        assertThat(timeline.latest()).isEmpty();
    }

    @Test
    void aRejectedVersionNeverServesEvenForImagesBeforeTheRejection() {
        ServingTimeline timeline = ServingTimeline.of(List.of(
                event("a", ModelEventType.PROMOTED, 100, 110L),
                event("bad", ModelEventType.PROMOTED, 300, 310L),
                event("bad", ModelEventType.REJECTED, 312, null)));

        assertThat(timeline.versionAt(311)).contains("a");
        assertThat(timeline.versionAt(1_000)).contains("a");
        assertThat(timeline.latest()).contains("a");
    }

    @Test
    void anEventWithoutAnEffectiveTimeTakesEffectWhenRecorded() {
        assertThat(ServingTimeline.of(List.of(event("a", ModelEventType.PROMOTED, 100, null))).versionAt(100))
                .contains("a");
        assertThat(ServingTimeline.EMPTY.versionAt(Long.MAX_VALUE)).isEqualTo(Optional.empty());
    }

    private static ModelEvent event(String version, ModelEventType type, long time, Long effectiveFrom) {
        return ModelEvent.newBuilder().setEventId(version + type + time).setVersion(version).setType(type)
                .setTime(Instant.ofEpochMilli(time))
                .setAttributes(effectiveFrom == null ? Map.of()
                        : Map.of(ServingTimeline.EFFECTIVE_FROM, Long.toString(effectiveFrom)))
                .build();
    }
}
