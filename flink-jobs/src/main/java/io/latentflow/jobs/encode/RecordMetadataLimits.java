package io.latentflow.jobs.encode;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Caps on the free-form fields of an ImageRecord. They travel with the image into operator state (checkpointed with
 * {@code writeUTF}, which fails past 64 KB), shard metadata and Kafka records, so one record with a megabyte of
 * attributes must be refused at the door, not break a checkpoint later.
 */
final class RecordMetadataLimits {

    static final int MAX_SOURCE_BYTES = 256;
    static final int MAX_ATTRIBUTES = 64;
    static final int MAX_ATTRIBUTE_BYTES = 16 * 1024;

    private RecordMetadataLimits() {
    }

    /** Why the record's source and attributes are refused, or null when they are within the caps. */
    static String violation(CharSequence source, Map<? extends CharSequence, ? extends CharSequence> attributes) {
        int sourceBytes = source == null ? 0 : utf8Length(source);
        if (sourceBytes > MAX_SOURCE_BYTES) {
            return "its source is " + sourceBytes + " bytes, over the cap of " + MAX_SOURCE_BYTES
                    + ": name the source briefly (a camera, a crawler, a folder) and put details in attributes";
        }
        if (attributes == null) {
            return null;
        }
        if (attributes.size() > MAX_ATTRIBUTES) {
            return "it has " + attributes.size() + " attributes, over the cap of " + MAX_ATTRIBUTES;
        }
        long total = 0;
        for (Map.Entry<? extends CharSequence, ? extends CharSequence> attribute : attributes.entrySet()) {
            total += utf8Length(attribute.getKey()) + (attribute.getValue() == null ? 0
                    : utf8Length(attribute.getValue()));
        }
        if (total > MAX_ATTRIBUTE_BYTES) {
            return "its attributes hold " + total + " bytes, over the cap of " + MAX_ATTRIBUTE_BYTES
                    + ": keep labels short and store large metadata elsewhere, referenced by the image id";
        }
        return null;
    }

    private static int utf8Length(CharSequence text) {
        return text.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
