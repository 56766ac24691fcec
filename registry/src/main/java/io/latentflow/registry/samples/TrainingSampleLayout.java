package io.latentflow.registry.samples;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Where training samples lie in object storage and what their shards hold: the sampler writes by it and the
 * fine-tune, {@code status} and the dashboard read by it, so the layout is said here once.
 */
public final class TrainingSampleLayout {

    public static final String ROOT = "training-samples/";
    /** Suffix of a sample's image member: the model input, lossless. */
    public static final String IMAGE_SUFFIX = ".png";
    /** Suffix of a sample's metadata member: topic, partition, offset, source, event time, content hash. */
    public static final String METADATA_SUFFIX = ".json";

    private TrainingSampleLayout() {
    }

    /**
     * {@code training-samples/dt=<day of the window>/part-<window start ms>-<source key>-n<images>.tar}: the count in
     * the name lets {@code status} say how many samples there are from a listing, without reading the shards.
     */
    public static String key(long windowStart, String sourceKey, int images) {
        LocalDate day = Instant.ofEpochMilli(windowStart).atZone(ZoneOffset.UTC).toLocalDate();
        return ROOT + "dt=" + day + "/part-" + windowStart + "-" + sourceKey + "-n" + images + ".tar";
    }
}
