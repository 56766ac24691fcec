package io.latentflow.imaging;

import io.latentflow.schemas.DeadLetterReason;

import java.util.Objects;

/**
 * An input the pipeline refuses, with the dead-letter reason code and a message for the person who sent it.
 * Expected for bad input, so it carries no stack trace: it is routed to the dead-letter topic, not logged as a fault.
 */
public final class ImageRejectedException extends Exception {

    private final DeadLetterReason reason;

    public ImageRejectedException(DeadLetterReason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
