package io.latentflow.jobs.encode;

import io.latentflow.connections.KafkaClientConfig;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.connections.TrustedCertificates;
import io.latentflow.shards.StoredLatents;
import io.latentflow.jobs.drift.DriftMonitorSettings;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.model.drift.ReconstructionSampling;
import io.latentflow.registry.TrustedKeys;
import org.apache.flink.util.ParameterTool;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The encode job's command line when it is submitted as a job jar ({@code flink run <jar> --kafka ... --s3-endpoint
 * ...}). S3 credentials are never arguments (a command line is visible to every user of the host): they come from the
 * environment of the submitting process, {@code LATENTFLOW_S3_ACCESS_KEY} and {@code LATENTFLOW_S3_SECRET_KEY}, or,
 * with neither set, from the MinIO SDK's provider chain (AWS variables, credentials file, IAM role).
 */
public final class EncodeJobArguments {

    public static final String ACCESS_KEY_VARIABLE = "LATENTFLOW_S3_ACCESS_KEY";
    public static final String SECRET_KEY_VARIABLE = "LATENTFLOW_S3_SECRET_KEY";

    static final String USAGE = "encode job arguments: --kafka HOST:PORT [--kafka-config FILE] --s3-endpoint URL"
            + " [--s3-ca-file PEM] [--bucket latentflow] [--s3-region R] [--model default|DIR] [--resolution 256] [--batch 16] [--parallelism 1]"
            + " [--checkpoint-interval PT5S] [--transaction-timeout PT15M] [--inline-latent-max-bytes 262144]"
            + " [--latents mean|moments]"
            + " [--bounded] [--follow-registry] [--trusted-keys DIR] [--no-monitor] [--dedup-horizon P7D]"
            + " [--allow-duplicates]"
            + " [--window PT1M] [--reference-images DIR] [--quality-sample-every 64];"
            + " S3 credentials from the environment: " + ACCESS_KEY_VARIABLE + ", " + SECRET_KEY_VARIABLE
            + " (neither: the MinIO SDK's provider chain, e.g. an IAM role)";

    /** What ParameterTool gives for {@code --name} with no value after it. */
    private static final String FLAG_WITHOUT_VALUE = "__NO_VALUE_KEY";
    private static final Set<String> KNOWN = Set.of("kafka", "s3-endpoint", "bucket", "s3-region", "model",
            "resolution", "batch", "parallelism", "checkpoint-interval", "transaction-timeout",
            "inline-latent-max-bytes", "bounded", "follow-registry", "no-monitor", "window", "reference-images",
            "dedup-horizon", "allow-duplicates", "latents", "trusted-keys", "kafka-config", "s3-ca-file");

    private EncodeJobArguments() {
    }

    /** Settings from {@code args} and {@code environment}; throws with the usage on anything missing or unknown. */
    public static EncodeJobSettings parse(String[] args, Map<String, String> environment) {
        ParameterTool parameters = ParameterTool.fromArgs(args);
        Set<String> unknown = new TreeSet<>(parameters.toMap().keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown argument(s) " + unknown + "; " + USAGE);
        }
        // both files are read here, on the submitting client: the tasks get their contents, not the paths
        KafkaSettings kafka = new KafkaSettings(required(parameters, "kafka"), KafkaClientConfig.load(
                parameters.has("kafka-config") ? Path.of(required(parameters, "kafka-config")) : null));
        S3Settings s3 = new S3Settings(required(parameters, "s3-endpoint"), environment.get(ACCESS_KEY_VARIABLE),
                environment.get(SECRET_KEY_VARIABLE), parameters.get("s3-region"),
                parameters.get("bucket", "latentflow"), parameters.has("s3-ca-file")
                ? TrustedCertificates.readPem(Path.of(required(parameters, "s3-ca-file"))) : null);
        EncodeJobSettings settings = EncodeJobSettings.builder(kafka, s3)
                .model(ModelLocation.parse(parameters.get("model", ModelLocation.DEFAULT_NAME)))
                .resolution(parameters.getInt("resolution", EncodeJobSettings.DEFAULT_RESOLUTION))
                .batchSize(parameters.getInt("batch", EncodeJobSettings.DEFAULT_BATCH_SIZE))
                .parallelism(parameters.getInt("parallelism", 1))
                .checkpointInterval(Duration.parse(parameters.get("checkpoint-interval",
                        EncodeJobSettings.DEFAULT_CHECKPOINT_INTERVAL.toString())))
                .transactionTimeout(Duration.parse(parameters.get("transaction-timeout",
                        EncodeJobSettings.DEFAULT_TRANSACTION_TIMEOUT.toString())))
                .inlineLatentMaxBytes(parameters.getInt("inline-latent-max-bytes",
                        EncodeJobSettings.DEFAULT_INLINE_LATENT_MAX_BYTES))
                .latents(StoredLatents.fromJsonName(parameters.get("latents", StoredLatents.MEAN.jsonName())))
                .bounded(parameters.has("bounded"))
                .followRegistry(parameters.has("follow-registry"))
                .trustedKeys(trustedKeys(parameters))
                .dedupHorizon(parameters.has("allow-duplicates") ? null : Duration.parse(parameters.get("dedup-horizon",
                        EncodeJobSettings.DEFAULT_DEDUP_HORIZON.toString())))
                .build();
        if (parameters.has("no-monitor")) {
            return settings;
        }
        String referenceImages = parameters.get("reference-images");
        if (referenceImages == null && ReferenceProfiles.stored(settings.model())
                .filter(profile -> profile.imageSize() == settings.resolution()).isEmpty()) {
            throw new IllegalArgumentException("model " + settings.model().location() + " has no drift reference"
                    + " profile of " + settings.resolution() + " px images: give --reference-images DIR (images like"
                    + " those the model was trained on) or --no-monitor");
        }
        DriftMonitorSettings monitor = DriftMonitorSettings.of(ReferenceProfiles.resolve(settings.model(),
                        settings.resolution(), referenceImages == null ? null : Path.of(referenceImages)))
                .withWindowSize(Duration.parse(parameters.get("window", DriftMonitorSettings.DEFAULT_WINDOW.toString())))
                .withValidationPsnr(ReferenceProfiles.storedValidationPsnr(settings.model(), settings.resolution()))
                .withSampling(new ReconstructionSampling(parameters.getInt("quality-sample-every",
                        ReconstructionSampling.DEFAULT_EVERY)));
        return settings.toBuilder().monitor(monitor).build();
    }

    /** The public keys of {@code --trusted-keys DIR}, read here on the client and carried to every encoder. */
    private static TrustedKeys trustedKeys(ParameterTool parameters) {
        if (!parameters.has("trusted-keys")) {
            return TrustedKeys.NOT_CHECKED;
        }
        Path dir = Path.of(required(parameters, "trusted-keys"));
        try {
            return TrustedKeys.load(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the trusted keys in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String required(ParameterTool parameters, String name) {
        String value = parameters.get(name);
        if (value == null || value.isBlank() || FLAG_WITHOUT_VALUE.equals(value)) {
            throw new IllegalArgumentException("--" + name + " is required; " + USAGE);
        }
        return value;
    }

}
