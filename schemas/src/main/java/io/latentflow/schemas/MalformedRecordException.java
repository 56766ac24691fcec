package io.latentflow.schemas;

/**
 * Bytes that are not a readable record of the expected type. Checked on purpose: a stream
 * must route such input to the dead-letter topic instead of failing on it.
 */
public class MalformedRecordException extends Exception {

    public MalformedRecordException(String message) {
        super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
