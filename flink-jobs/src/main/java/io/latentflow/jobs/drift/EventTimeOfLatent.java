package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.EncodedLatent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Gives every latent its image's event time as the record timestamp, which event-time windows read. Needed because a
 * latent leaves the encoder inside a batch, and a batch carries no single timestamp. Watermarks pass unchanged (the
 * micro-batcher holds them until the batch they follow has left).
 */
public final class EventTimeOfLatent extends AbstractStreamOperator<EncodedLatent>
        implements OneInputStreamOperator<EncodedLatent, EncodedLatent> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(StreamRecord<EncodedLatent> element) {
        output.collect(element.replace(element.getValue(), element.getValue().image.eventTime));
    }
}
