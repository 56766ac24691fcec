package io.latentflow.jobs.encode;

import java.util.HashMap;
import java.util.Map;

/**
 * An image that passed validation: decoded, resized and center-cropped to the model resolution, as
 * {@code size x size} RGB bytes in HWC order, with what it needs to be dead-lettered later
 * (its Kafka position) and to be described in its shard (id, safe key, source, times, attributes, caption, label).
 *
 * <p>A Flink POJO so it travels without Kryo.
 */
public class PreparedImage {

    public String topic;
    public int partition;
    public long offset;

    public String imageId;
    /** The image id made safe as an object-key member (see {@code SampleKeys}). */
    public String sampleKey;
    public String source;
    public long eventTime;
    /** Kafka timestamp of the images record: decides which model version encodes it when the serving one changes. */
    public long recordTimestamp;
    public Map<String, String> attributes = new HashMap<>();
    /** The image's caption and class, null for none: into the LatentRecord and the shard member. */
    public String caption;
    public String label;

    public int originalWidth;
    public int originalHeight;
    /** Side of the square the image was resized and cropped to. */
    public int size;
    /** {@code size * size * 3} bytes, RGB, HWC. */
    public byte[] pixels;

    public PreparedImage() {
    }

    public String position() {
        return topic + "-" + partition + "@" + offset;
    }

    @Override
    public String toString() {
        return "PreparedImage{" + imageId + " from " + position() + ", " + size + "px}";
    }
}
