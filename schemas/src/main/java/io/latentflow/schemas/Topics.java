package io.latentflow.schemas;

/** Names of the Kafka topics the pipeline reads and writes. */
public final class Topics {

    /** {@link ImageRecord}s to encode. */
    public static final String IMAGES = "images";

    /** {@link LatentRecord}s, one per encoded image. */
    public static final String LATENTS = "latents";

    /** {@link DeadLetter}s, one per refused input. */
    public static final String DEAD_LETTERS = "images-dlq";

    private Topics() {
    }
}
