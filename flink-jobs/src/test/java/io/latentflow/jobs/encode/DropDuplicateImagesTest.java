package io.latentflow.jobs.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** One image per id within the horizon, across a restore from a checkpoint; none dropped when duplicates are allowed. */
class DropDuplicateImagesTest {

    private static final Duration HORIZON = Duration.ofHours(1);

    @Test
    void keepsTheFirstImageOfEachIdAndCountsTheOthers() throws Exception {
        try (var harness = harness(HORIZON)) {
            harness.open();
            send(harness, "photos/a.jpg@1", "photos/b.jpg@1", "photos/a.jpg@1", "photos/a.jpg@2", "photos/b.jpg@1");

            assertThat(harness.extractOutputValues()).extracting(image -> image.imageId)
                    .containsExactly("photos/a.jpg@1", "photos/b.jpg@1", "photos/a.jpg@2");
            assertThat(dropped(harness)).isEqualTo(2);
        }
    }

    @Test
    void aDuplicateArrivingAfterARestoreFromACheckpointIsStillDropped() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var before = harness(HORIZON)) {
            before.open();
            send(before, "photos/a.jpg@1", "photos/a.jpg@1");
            checkpoint = before.snapshot(1, 1);
        }
        try (var after = harness(HORIZON)) {
            after.initializeState(checkpoint);
            after.open();
            send(after, "photos/a.jpg@1", "photos/c.jpg@1");

            assertThat(after.extractOutputValues()).extracting(image -> image.imageId).containsExactly("photos/c.jpg@1");
            assertThat(dropped(after)).as("the count goes on from the checkpoint's").isEqualTo(2);
        }
    }

    @Test
    void anIdIsForgottenOnceTheHorizonHasPassed() throws Exception {
        try (var harness = harness(HORIZON)) {
            harness.open();
            harness.setStateTtlProcessingTime(0);
            send(harness, "photos/a.jpg@1");
            harness.setStateTtlProcessingTime(HORIZON.toMillis() - 1);
            send(harness, "photos/a.jpg@1");
            harness.setStateTtlProcessingTime(HORIZON.toMillis() + 1);
            send(harness, "photos/a.jpg@1");

            assertThat(harness.extractOutputValues()).extracting(image -> image.imageId)
                    .containsExactly("photos/a.jpg@1", "photos/a.jpg@1");
            assertThat(dropped(harness)).isEqualTo(1);
        }
    }

    @Test
    void withDuplicatesAllowedEveryImageGoesThrough() throws Exception {
        try (var harness = harness(null)) {
            harness.open();
            send(harness, "photos/a.jpg@1", "photos/a.jpg@1");

            assertThat(harness.extractOutputValues()).hasSize(2);
            assertThat(dropped(harness)).isZero();
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PreparedImage, PreparedImage> harness(
            Duration horizon) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DropDuplicateImages(horizon)), image -> image.imageId, Types.STRING);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, PreparedImage, PreparedImage> harness,
                             String... ids) throws Exception {
        for (String id : ids) {
            PreparedImage image = new PreparedImage();
            image.imageId = id;
            harness.processElement(image, 0);
        }
    }

    private static long dropped(KeyedOneInputStreamOperatorTestHarness<String, PreparedImage, PreparedImage> harness) {
        return ((DropDuplicateImages) ((KeyedProcessOperator<?, ?, ?>) harness.getOperator()).getUserFunction())
                .duplicatesDropped();
    }
}
