package io.latentflow.jobs.encode;

import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.DeadLetterReason;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an operator sends a refused input: the {@link EncodeJob#DEAD_LETTERS} side output, one log
 * line (no stack trace: bad input is expected), and the per-reason accumulator that
 * {@link EncodeSummary} reports.
 */
final class DeadLetterOutput {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterOutput.class);

    private final RuntimeContext runtime;

    DeadLetterOutput(RuntimeContext runtime) {
        this.runtime = runtime;
    }

    void send(ProcessFunction<?, ?>.Context context, String topic, int partition, long offset, String imageId,
              DeadLetterReason reason, String message, PipelineStage stage) {
        DeadLetter letter = DeadLetters.of(topic, partition, offset, imageId, reason, message, stage);
        runtime.getLongCounter(EncodeSummary.deadLetterAccumulator(reason)).add(1);
        LOG.info("Dead letter {}-{}@{} (image {}) at {}: {}: {}", topic, partition, offset,
                imageId == null ? "unknown" : imageId, stage.label(), reason, message);
        context.output(EncodeJob.DEAD_LETTERS, letter);
    }
}
