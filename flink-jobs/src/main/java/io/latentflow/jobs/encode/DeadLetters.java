package io.latentflow.jobs.encode;

import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.DeadLetterReason;

import java.time.Instant;

/** Builds the dead letter of a refused input, so every stage names its input the same way. */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * @param imageId null when the record could not be read far enough to know it
     */
    public static DeadLetter of(String topic, int partition, long offset, String imageId,
                                DeadLetterReason reason, String message, PipelineStage stage) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setImageId(imageId)
                .setReason(reason)
                .setMessage(message)
                .setStage(stage.label())
                .setTime(Instant.now())
                .build();
    }
}
