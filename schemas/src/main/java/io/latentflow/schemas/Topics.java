package io.latentflow.schemas;

/** Names of the Kafka topics the pipeline reads and writes. */
public final class Topics {

    /** {@link ImageRecord}s to encode. */
    public static final String IMAGES = "images";

    /** {@link LatentRecord}s, one per encoded image. */
    public static final String LATENTS = "latents";

    /**
     * {@link ShardCommitted}s, one per shard object committed under {@code latents/}, each written once the object is
     * readable: what a file-based trainer follows. Retained like the other topics (not compacted: a shard's uri is
     * written once).
     */
    public static final String SHARDS = "shards";

    /** {@link DeadLetter}s, one per refused input. */
    public static final String DEAD_LETTERS = "images-dlq";

    /** {@link LatentStatsWindow}s, one per model version and event-time window. */
    public static final String LATENT_STATS = "latent-stats";

    /** {@link DriftAlert}s, one per change of a model version's drift state. */
    public static final String DRIFT_ALERTS = "drift-alerts";

    /** {@link ModelEvent}s: the life of every model version (compacted, kept forever). */
    public static final String MODEL_EVENTS = "model-events";

    /** {@link TrainingRequest}s: requests to fine-tune the serving model version, one candidate each. */
    public static final String TRAINING_REQUESTS = "training-requests";

    /** {@link TrainingProgress}: where each training request stands, then its outcome. */
    public static final String TRAINING_PROGRESS = "training-progress";

    /**
     * Settings a topic is created with. The images topic is stamped by the broker when it appends a record
     * ({@code LogAppendTime}): the encoder picks the model version of an image by that timestamp, so it must be when
     * the image entered the stream, whatever a producer sets (the image's own time is {@code ImageRecord.eventTime}).
     */
    public static java.util.Map<String, String> creationConfigs(String topic) {
        return IMAGES.equals(topic) ? java.util.Map.of("message.timestamp.type", "LogAppendTime")
                : java.util.Map.of();
    }

    private Topics() {
    }
}
