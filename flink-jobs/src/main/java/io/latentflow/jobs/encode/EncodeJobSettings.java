package io.latentflow.jobs.encode;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.jobs.drift.DriftMonitorSettings;
import io.latentflow.jobs.sampling.SamplingSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.imaging.ImageLimits;
import io.latentflow.model.LatentKind;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.shards.StoredLatents;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the encode job needs to know, validated once. Build one with
 * {@link #builder(KafkaSettings, S3Settings)}; every other setting has a default.
 *
 * @param kafka                 where the images, latents and images-dlq topics live
 * @param s3                    where shards are written (and objectUri images are fetched from)
 * @param model                 which model version to serve
 * @param resolution            side of the square model input; a multiple of the model's downsampling factor
 * @param batchSize             images per encoder call, at most
 * @param batchTimeout          longest an image waits for its batch to fill
 * @param imageLimits           what an input image may cost before it is refused
 * @param checkpointInterval    how often checkpoints commit shards and Kafka transactions: the end-to-end latency
 *                              of a latent, and the usual size of a shard
 * @param parallelism           parallel instances of every operator (one model per instance)
 * @param bounded               read the images present when the job starts, then finish
 * @param consumerGroup         Kafka consumer group of the images source (offsets are committed on checkpoints)
 * @param transactionalIdPrefix prefix of the Kafka transactional ids of both sinks; unique per running job
 * @param maxShardBytes         a shard is closed and a new one opened once it holds this many bytes
 * @param maxShardAge           ... or at the first checkpoint at which it is this old; a shard spans checkpoints
 *                              until then (each stages its range; the latents' records still commit with their own
 *                              checkpoint, the shard object appears when it rolls). Zero: every checkpoint closes it
 * @param transactionTimeout    timeout of the Kafka transactions of the exactly-once sinks. A transaction is
 *                              committed when the checkpoint that closed it completes; if the job is down longer
 *                              than this between the two (a failure, a restart, a full cluster restart), the broker
 *                              aborts the transaction and its records are lost (Flink's KafkaSink documentation).
 *                              So it is as long as the broker allows: at most its transaction.max.timeout.ms
 *                              (15 min by default, 1 h on the embedded broker), else the sink cannot start. It also
 *                              bounds how long a checkpoint may take ({@link #checkpointTimeout()}), so that a
 *                              held-up checkpoint fails the job instead of outliving its transaction
 * @param restartPolicy         what Flink does when the job fails
 * @param faults                told by the operators of the elements they see; {@link OperatorFaults#NONE} but in
 *                              recovery tests, where one operator throws once ({@link FailOnce})
 * @param monitor               the latent-drift monitor downstream of the encoder, or null for none
 * @param sampling              sample the prepared images into training-samples/ for fine-tuning, or null for none
 * @param followRegistry        swap models without a restart: follow the registry's model-events and encode each
 *                              image with the version promoted as of its timestamp ({@code model} serves before the
 *                              first promotion); off, the job serves {@code model} only
 * @param dedupHorizon          how long the job remembers an image id to drop later records of it (one latent per
 *                              id within the horizon, see {@link DropDuplicateImages}); null lets duplicates through
 * @param inlineLatentMaxBytes  a LatentRecord carries its latent's .npy bytes up to this size, else it says the latent
 *                              is in storage only; zero: never inline
 * @param latents               what is stored per image: the served (scaled) posterior mean, or the unscaled moments
 *                              (mean and log-variance, 2C channels) of a model with a posterior
 * @param trustedKeys           with {@code followRegistry}: serve only registry versions whose manifest one of these
 *                              keys signed (another is REJECTED with the reason); {@link TrustedKeys#NOT_CHECKED}
 *                              serves every version whose files match its manifest
 */
public record EncodeJobSettings(
        KafkaSettings kafka,
        S3Settings s3,
        ModelLocation model,
        int resolution,
        int batchSize,
        Duration batchTimeout,
        ImageLimits imageLimits,
        Duration checkpointInterval,
        int parallelism,
        boolean bounded,
        String consumerGroup,
        String transactionalIdPrefix,
        long maxShardBytes,
        Duration maxShardAge,
        Duration transactionTimeout,
        RestartPolicy restartPolicy,
        OperatorFaults faults,
        DriftMonitorSettings monitor,
        SamplingSettings sampling,
        boolean followRegistry,
        Duration dedupHorizon,
        int inlineLatentMaxBytes,
        StoredLatents latents,
        TrustedKeys trustedKeys) implements Serializable {

    public static final int DEFAULT_RESOLUTION = 256;
    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofMillis(200);
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
    public static final String DEFAULT_CONSUMER_GROUP = "latentflow-encode";
    public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "latentflow-encode";
    public static final long DEFAULT_MAX_SHARD_BYTES = 256L * 1024 * 1024;
    public static final Duration DEFAULT_MAX_SHARD_AGE = Duration.ofMinutes(10);
    /** Kafka's default transaction.max.timeout.ms, which docker-compose.yml keeps. */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);
    public static final Duration DEFAULT_DEDUP_HORIZON = Duration.ofDays(7);
    /**
     * Room for a 16 x 64 x 64 float16 latent of a 512 px image (131,200 bytes with its .npy header) and then some,
     * well below the broker's default 1 MB message limit.
     */
    public static final int DEFAULT_INLINE_LATENT_MAX_BYTES = 256 * 1024;
    /** The most a record may carry inline: a record must stay below the broker's default message limit. */
    public static final int MAX_INLINE_LATENT_BYTES = 900 * 1024;

    public EncodeJobSettings {
        Objects.requireNonNull(kafka, "kafka settings");
        Objects.requireNonNull(s3, "S3 settings");
        Objects.requireNonNull(model, "model location");
        Objects.requireNonNull(imageLimits, "image limits");
        Objects.requireNonNull(restartPolicy, "restart policy");
        Objects.requireNonNull(faults, "operator faults (OperatorFaults.NONE for none)");
        Objects.requireNonNull(latents, "latents (mean or moments)");
        Objects.requireNonNull(trustedKeys, "trusted keys (TrustedKeys.NOT_CHECKED for none)");
        if (latents == StoredLatents.MOMENTS && model.config().latentKind() != LatentKind.KL) {
            throw new IllegalArgumentException("Encode job setting latents is moments, which needs a model with a"
                    + " posterior (an imported VAE or a KL model); model " + model.location() + " is bounded ("
                    + model.config().shortName() + ") and has no log-variance to store: use latents mean");
        }
        require(followRegistry || !trustedKeys.checksSignatures(), "trustedKeys", trustedKeys.describe(),
                "none unless the job follows the registry (signatures are checked on registry versions only)");
        require(resolution >= 8 && resolution <= 4096, "resolution", resolution,
                "a side in pixels from 8 to 4096, a multiple of the model's downsampling factor (e.g. 64, 256)");
        require(batchSize >= 1 && batchSize <= 4096, "batchSize", batchSize, "1 to 4096 images");
        require(isPositive(batchTimeout), "batchTimeout", batchTimeout, "a positive duration, e.g. 200 ms");
        require(isPositive(checkpointInterval) && checkpointInterval.toMillis() >= 10, "checkpointInterval",
                checkpointInterval, "at least 10 ms; seconds to minutes in production");
        require(parallelism >= 1, "parallelism", parallelism, "at least 1");
        require(consumerGroup != null && !consumerGroup.isBlank(), "consumerGroup", consumerGroup, "a group id");
        require(transactionalIdPrefix != null && !transactionalIdPrefix.isBlank(), "transactionalIdPrefix",
                transactionalIdPrefix, "a prefix unique to this job");
        require(isPositive(transactionTimeout) && transactionTimeout.compareTo(checkpointInterval.multipliedBy(3)) >= 0,
                "transactionTimeout", transactionTimeout, "at least three checkpoint intervals (" + checkpointInterval
                        + " each: a transaction must outlast two checkpoints and the interval between them); at most"
                        + " the broker's transaction.max.timeout.ms");
        require(maxShardBytes >= 1024, "maxShardBytes", maxShardBytes, "at least 1024 bytes; 256 MiB by default");
        require(maxShardAge != null && !maxShardAge.isNegative(), "maxShardAge", maxShardAge,
                "zero or a positive duration; 10 min by default");
        require(dedupHorizon == null || (!dedupHorizon.isNegative() && dedupHorizon.toMillis() >= 1), "dedupHorizon",
                dedupHorizon, "a positive duration (7 days by default), or none to allow duplicates");
        require(inlineLatentMaxBytes >= 0 && inlineLatentMaxBytes <= MAX_INLINE_LATENT_BYTES, "inlineLatentMaxBytes",
                inlineLatentMaxBytes, "0 (never inline) to " + MAX_INLINE_LATENT_BYTES
                        + " bytes (below the broker's 1 MB message limit); " + DEFAULT_INLINE_LATENT_MAX_BYTES
                        + " by default");
    }

    public static Builder builder(KafkaSettings kafka, S3Settings s3) {
        return new Builder(kafka, s3);
    }

    public Builder toBuilder() {
        return new Builder(kafka, s3).model(model).resolution(resolution).batchSize(batchSize)
                .batchTimeout(batchTimeout).imageLimits(imageLimits).checkpointInterval(checkpointInterval)
                .parallelism(parallelism).bounded(bounded).consumerGroup(consumerGroup)
                .transactionalIdPrefix(transactionalIdPrefix).maxShardBytes(maxShardBytes).maxShardAge(maxShardAge)
                .transactionTimeout(transactionTimeout)
                .restartPolicy(restartPolicy).faults(faults).monitor(monitor)
                .sampling(sampling).followRegistry(followRegistry).dedupHorizon(dedupHorizon)
                .inlineLatentMaxBytes(inlineLatentMaxBytes).latents(latents).trustedKeys(trustedKeys);
    }

    public Optional<SamplingSettings> trainingSampling() {
        return Optional.ofNullable(sampling);
    }

    /** How long an image id is remembered to drop its duplicates; empty when duplicates are allowed. */
    public Optional<Duration> deduplication() {
        return Optional.ofNullable(dedupHorizon);
    }

    public Optional<DriftMonitorSettings> monitoring() {
        return Optional.ofNullable(monitor);
    }

    /**
     * How long a checkpoint may take before Flink declares it failed and the job fails over: short enough that no Kafka
     * transaction of the sinks outlives {@link #transactionTimeout} ({@link ExactlyOnceKafkaSink#checkpointTimeout}).
     */
    public Duration checkpointTimeout() {
        return ExactlyOnceKafkaSink.checkpointTimeout(checkpointInterval, transactionTimeout);
    }

    private static boolean isPositive(Duration duration) {
        return duration != null && !duration.isNegative() && !duration.isZero();
    }

    private static void require(boolean valid, String name, Object value, String expected) {
        if (!valid) {
            throw new IllegalArgumentException("Encode job setting " + name + " is " + value + ": expected " + expected);
        }
    }

    /** Fluent construction with defaults. */
    public static final class Builder {
        private final KafkaSettings kafka;
        private final S3Settings s3;
        private ModelLocation model = ModelLocation.DEFAULT;
        private int resolution = DEFAULT_RESOLUTION;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration batchTimeout = DEFAULT_BATCH_TIMEOUT;
        private ImageLimits imageLimits = ImageLimits.DEFAULTS;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private int parallelism = 1;
        private boolean bounded;
        private String consumerGroup = DEFAULT_CONSUMER_GROUP;
        private String transactionalIdPrefix = DEFAULT_TRANSACTIONAL_ID_PREFIX;
        private long maxShardBytes = DEFAULT_MAX_SHARD_BYTES;
        private Duration maxShardAge = DEFAULT_MAX_SHARD_AGE;
        private Duration transactionTimeout = DEFAULT_TRANSACTION_TIMEOUT;
        private SamplingSettings sampling;
        private boolean followRegistry;
        private RestartPolicy restartPolicy = RestartPolicy.flinkDefault();
        private OperatorFaults faults = OperatorFaults.NONE;
        private DriftMonitorSettings monitor;
        private Duration dedupHorizon = DEFAULT_DEDUP_HORIZON;
        private int inlineLatentMaxBytes = DEFAULT_INLINE_LATENT_MAX_BYTES;
        private StoredLatents latents = StoredLatents.MEAN;
        private TrustedKeys trustedKeys = TrustedKeys.NOT_CHECKED;

        private Builder(KafkaSettings kafka, S3Settings s3) {
            this.kafka = kafka;
            this.s3 = s3;
        }

        public Builder model(ModelLocation model) {
            this.model = model;
            return this;
        }

        public Builder resolution(int resolution) {
            this.resolution = resolution;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder batchTimeout(Duration batchTimeout) {
            this.batchTimeout = batchTimeout;
            return this;
        }

        public Builder imageLimits(ImageLimits imageLimits) {
            this.imageLimits = imageLimits;
            return this;
        }

        public Builder checkpointInterval(Duration checkpointInterval) {
            this.checkpointInterval = checkpointInterval;
            return this;
        }

        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Read the images present when the job starts, then finish (demo, benchmark, replay). */
        public Builder bounded(boolean bounded) {
            this.bounded = bounded;
            return this;
        }

        public Builder consumerGroup(String consumerGroup) {
            this.consumerGroup = consumerGroup;
            return this;
        }

        public Builder transactionalIdPrefix(String transactionalIdPrefix) {
            this.transactionalIdPrefix = transactionalIdPrefix;
            return this;
        }

        /** Roll a shard at the first checkpoint at which it is this old (zero: at every checkpoint). */
        public Builder maxShardAge(Duration maxShardAge) {
            this.maxShardAge = maxShardAge;
            return this;
        }

        public Builder maxShardBytes(long maxShardBytes) {
            this.maxShardBytes = maxShardBytes;
            return this;
        }

        public Builder transactionTimeout(Duration transactionTimeout) {
            this.transactionTimeout = transactionTimeout;
            return this;
        }

        public Builder restartPolicy(RestartPolicy restartPolicy) {
            this.restartPolicy = restartPolicy;
            return this;
        }

        /** Where the operators report the elements they see, to fail one in a recovery test; none by default. */
        public Builder faults(OperatorFaults faults) {
            this.faults = faults;
            return this;
        }

        /** Watch the latents for drift against a reference profile; null (the default) for no monitor. */
        public Builder monitor(DriftMonitorSettings monitor) {
            this.monitor = monitor;
            return this;
        }

        /** Sample the prepared images for fine-tuning; null (the default) for none. */
        public Builder sampling(SamplingSettings sampling) {
            this.sampling = sampling;
            return this;
        }

        /** Swap to the versions the model registry promotes, without a restart (the live service does). */
        public Builder followRegistry(boolean followRegistry) {
            this.followRegistry = followRegistry;
            return this;
        }

        /** Drop records of an image id seen within this horizon (7 days by default); null allows duplicates. */
        public Builder dedupHorizon(Duration dedupHorizon) {
            this.dedupHorizon = dedupHorizon;
            return this;
        }

        /** Encode every record, duplicates of an image id included. */
        public Builder allowDuplicates() {
            return dedupHorizon(null);
        }

        /** Records carry their latent's .npy bytes up to this size (zero: never). */
        public Builder inlineLatentMaxBytes(int inlineLatentMaxBytes) {
            this.inlineLatentMaxBytes = inlineLatentMaxBytes;
            return this;
        }

        /** Store the served mean (the default) or the posterior's moments, for models that have one. */
        public Builder latents(StoredLatents latents) {
            this.latents = latents;
            return this;
        }

        /** Serve only registry versions signed by one of these keys. */
        public Builder trustedKeys(TrustedKeys trustedKeys) {
            this.trustedKeys = trustedKeys;
            return this;
        }

        public EncodeJobSettings build() {
            return new EncodeJobSettings(kafka, s3, model, resolution, batchSize, batchTimeout, imageLimits,
                    checkpointInterval, parallelism, bounded, consumerGroup, transactionalIdPrefix, maxShardBytes,
                    maxShardAge, transactionTimeout, restartPolicy, faults, monitor, sampling,
                    followRegistry, dedupHorizon, inlineLatentMaxBytes, latents, trustedKeys);
        }
    }
}
