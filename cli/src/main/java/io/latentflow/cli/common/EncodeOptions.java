package io.latentflow.cli.common;

import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.shards.StoredLatents;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** How the encode job runs: model, resolution, batching. Shared by the demo and the benchmark. */
public final class EncodeOptions {

    @Option(names = "--model", defaultValue = "default",
            description = "Model directory to serve, or 'default' for the shipped model (default ${DEFAULT-VALUE}).")
    public String model;

    @Option(names = "--resolution", defaultValue = "256",
            description = "Side of the square model input in pixels, a multiple of the model's downsampling factor"
                    + " (default ${DEFAULT-VALUE}).")
    public int resolution;

    @Option(names = "--batch", defaultValue = "16", description = "Images per encoder call (default ${DEFAULT-VALUE}).")
    public int batchSize;

    @Option(names = "--parallelism", defaultValue = "1",
            description = "Encoder instances, one model each (default ${DEFAULT-VALUE}).")
    public int parallelism;

    @Option(names = "--shard-max-age", defaultValue = "PT10M", paramLabel = "DURATION",
            description = "A latent shard spans checkpoints until it is this old (or 256 MiB), ISO-8601; PT0S closes"
                    + " one at every checkpoint (default ${DEFAULT-VALUE}).")
    Duration shardMaxAge;

    @Option(names = "--dedup-horizon", defaultValue = "P7D", paramLabel = "DURATION",
            description = "One latent per image id: a record of an id seen within this horizon is dropped and counted"
                    + " (duplicatesDropped), ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration dedupHorizon;

    @Option(names = "--allow-duplicates", description = "Encode every record, duplicates of an image id included.")
    boolean allowDuplicates;
    @Option(names = "--inline-latent-max-bytes", paramLabel = "BYTES",
            defaultValue = "" + EncodeJobSettings.DEFAULT_INLINE_LATENT_MAX_BYTES,
            description = "A record on the latents topic carries its latent's .npy bytes up to this size; above it"
                    + " the record says the latent is in its shard only; 0: never (default ${DEFAULT-VALUE}).")
    int inlineLatentMaxBytes;

    @Option(names = "--latents", defaultValue = "mean", paramLabel = "mean|moments",
            converter = StoredLatentsConverter.class,
            description = "What each shard member stores: mean, (posterior mean - shift) * scale, C channels, what a"
                    + " diffusion model consumes; or moments, the posterior's mean and log-variance (2C channels,"
                    + " unscaled) for trainers that draw a fresh sample each epoch; imported VAEs and KL models only"
                    + " (default ${DEFAULT-VALUE}).")
    StoredLatents latents;

    /** {@code mean|moments}, as the shard JSON names them. */
    public static final class StoredLatentsConverter implements CommandLine.ITypeConverter<StoredLatents> {
        @Override
        public StoredLatents convert(String value) {
            return StoredLatents.fromJsonName(value);
        }
    }

    /** Bounded settings: the images present when the job starts, then the job ends. */
    public EncodeJobSettings settings(PipelineStack pipeline) {
        return settings(pipeline, true);
    }

    public EncodeJobSettings settings(PipelineStack pipeline, boolean bounded) {
        return EncodeJobSettings.builder(pipeline.kafka(), pipeline.s3())
                .model(ModelLocation.parse(model))
                .resolution(resolution)
                .batchSize(batchSize)
                .parallelism(parallelism)
                .bounded(bounded)
                .maxShardAge(shardMaxAge)
                .dedupHorizon(allowDuplicates ? null : dedupHorizon)
                .inlineLatentMaxBytes(inlineLatentMaxBytes)
                .latents(latents)
                .build();
    }
}
