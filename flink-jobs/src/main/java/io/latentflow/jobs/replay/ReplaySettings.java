package io.latentflow.jobs.replay;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.imaging.ImageLimits;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.LatentKind;
import io.latentflow.shards.StoredLatents;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a replay reads, which models it compares and how.
 *
 * @param kafka       where the images topic is
 * @param s3          where {@code s3://} images are fetched from, and backfilled shards go
 * @param range       the offsets replayed
 * @param models      A, then B if any
 * @param references  each model's drift reference profile, in the order of {@code models}
 * @param resolution  side of the square model input, as the encode job's
 * @param batchSize   images per model call
 * @param window      event-time window of the per-window figures and the drift scores
 * @param worstKept   images kept with their pixels for the grid of the worst
 * @param parallelism comparing subtasks (each loads every model)
 * @param source      only images of this source, or null for all
 * @param backfill    also write the last model's latents, or null for an evaluation only
 */
public record ReplaySettings(
        KafkaSettings kafka,
        S3Settings s3,
        ReplayRange range,
        List<ModelLocation> models,
        List<ReferenceProfile> references,
        int resolution,
        int batchSize,
        Duration window,
        int worstKept,
        int parallelism,
        ImageLimits imageLimits,
        String source,
        Backfill backfill) implements Serializable {

    public static final int DEFAULT_WORST = 8;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final Duration BATCH_TIMEOUT = Duration.ofMillis(200);

    /**
     * How the backfill writes: exactly once within the run (checkpointed shards and Kafka transactions), and once
     * across runs because the images whose latents of that version are already committed are skipped.
     *
     * @param alreadyPresent        ids of the images whose LatentRecord of this version is already on the latents
     *                              topic (read read_committed before the job starts)
     * @param transactionalIdPrefix unique to the run, so it never fences the live encode job's transactions
     * @param latents               what the shards store: the served mean, or the posterior's moments
     */
    public record Backfill(java.util.Set<String> alreadyPresent, String transactionalIdPrefix,
                           Duration checkpointInterval, Duration transactionTimeout, long maxShardBytes,
                           StoredLatents latents) implements Serializable {

        public Backfill {
            alreadyPresent = java.util.Set.copyOf(alreadyPresent);
            Objects.requireNonNull(transactionalIdPrefix, "transactional id prefix");
            latents = latents == null ? StoredLatents.MEAN : latents;
        }

        /** A backfill of the served means. */
        public Backfill(java.util.Set<String> alreadyPresent, String transactionalIdPrefix,
                        Duration checkpointInterval, Duration transactionTimeout, long maxShardBytes) {
            this(alreadyPresent, transactionalIdPrefix, checkpointInterval, transactionTimeout, maxShardBytes,
                    StoredLatents.MEAN);
        }
    }

    public ReplaySettings {
        Objects.requireNonNull(kafka, "kafka settings");
        Objects.requireNonNull(s3, "S3 settings");
        Objects.requireNonNull(range, "replay range");
        Objects.requireNonNull(imageLimits, "image limits");
        models = List.copyOf(models);
        references = List.copyOf(references);
        if (models.isEmpty() || models.size() > 2) {
            throw new IllegalArgumentException("--models takes one model or two (A,B), got " + models.size());
        }
        if (references.size() != models.size()) {
            throw new IllegalArgumentException("one drift reference profile per model: " + models.size()
                    + " models, " + references.size() + " profiles");
        }
        if (backfill != null && backfill.latents() == StoredLatents.MOMENTS) {
            ModelLocation backfilled = models.get(models.size() - 1);
            if (backfilled.config().latentKind() != LatentKind.KL) {
                throw new IllegalArgumentException("a backfill of moments needs a model with a posterior (an imported"
                        + " VAE or a KL model); " + backfilled.location() + " is bounded ("
                        + backfilled.config().shortName() + "): backfill its means instead (--latents mean)");
            }
        }
        if (resolution < 8 || batchSize < 1 || worstKept < 0 || parallelism < 1 || window.toMillis() < 1) {
            throw new IllegalArgumentException("replay settings out of range: resolution " + resolution + ", batch "
                    + batchSize + ", worst " + worstKept + ", parallelism " + parallelism + ", window " + window);
        }
    }

    public Optional<Backfill> backfilling() {
        return Optional.ofNullable(backfill);
    }

    /** The model whose latents a backfill writes: B with two models, A with one. */
    public int backfilledModel() {
        return models.size() - 1;
    }
}
