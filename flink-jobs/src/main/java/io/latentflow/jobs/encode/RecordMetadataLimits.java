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
    /** Long enough for any training caption (LAION's are a few hundred bytes), short of a document. */
    static final int MAX_CAPTION_BYTES = 16 * 1024;
    static final int MAX_LABEL_BYTES = 256;

    private RecordMetadataLimits() {
    }

    /** Why the record's source, attributes, caption or label are refused, or null when they are within the caps. */
    static String violation(CharSequence source, Map<? extends CharSequence, ? extends CharSequence> attributes,
                            CharSequence caption, CharSequence label) {
        int captionBytes = caption == null ? 0 : utf8Length(caption);
        if (captionBytes > MAX_CAPTION_BYTES) {
            return "its caption is " + captionBytes + " bytes, over the cap of " + MAX_CAPTION_BYTES;
        }
        int labelBytes = label == null ? 0 : utf8Length(label);
        if (labelBytes > MAX_LABEL_BYTES) {
            return "its label is " + labelBytes + " bytes, over the cap of " + MAX_LABEL_BYTES
                    + ": a label names a class; put text in the caption";
        }
        return violation(source, attributes);
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
