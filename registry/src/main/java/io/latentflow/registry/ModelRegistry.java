package io.latentflow.registry;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The model registry: versions live in object storage under {@code models/<version>/} (immutable, the manifest with
 * each file's sha256 uploaded last, so a version whose manifest is there is complete), and their life in the compacted
 * {@code model-events} topic. Serving is the last PROMOTED version that no later ROLLED_BACK named.
 */
public final class ModelRegistry implements AutoCloseable {

    /** How long after a promotion or rollback is recorded it takes effect, unless told otherwise. */
    public static final Duration DEFAULT_LEAD = Duration.ofSeconds(10);
    /** PROMOTED attribute: the latent space of the version served before, when it differs. */
    public static final String PREVIOUS_LATENT_SPACE = "previousLatentSpace";
    /** PROMOTED attribute, "true" when the promotion moves the service to another latent space. */
    public static final String LATENT_SPACE_CHANGED = "latentSpaceChanged";

    /** PUBLISHED attribute: the id of the key that signed the version's manifest. */
    public static final String SIGNED_BY = "signedBy";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AvroCodec<ModelEvent> CODEC = AvroCodec.of(ModelEvent.class);

    private final KafkaSettings kafka;
    private final ModelStore store;
    private final KafkaProducer<String, byte[]> producer;

    public ModelRegistry(KafkaSettings kafka, S3Settings s3) {
        this.kafka = kafka;
        this.store = new ModelStore(s3);
        ensureTopic(kafka);
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Verifies {@code dir} against its manifest (a tampered or incomplete directory is refused by file name before
     * anything is uploaded), uploads its files, the manifest last, and records PUBLISHED with its validation figures.
     *
     * @return the version, as its manifest names it
     */
    public String publish(Path dir) throws IOException {
        return publish(dir, Map.of());
    }

    /** {@link #publish(Path)}, with labels on the PUBLISHED event (e.g. the training request that made it). */
    public String publish(Path dir, Map<String, String> attributes) throws IOException {
        return publish(dir, attributes, Optional.empty());
    }

    /**
     * {@link #publish(Path, Map)}, the manifest signed with {@code signingKey} when given (the signature is stored
     * beside it and the PUBLISHED event names the key as {@value #SIGNED_BY}).
     */
    public String publish(Path dir, Map<String, String> attributes, Optional<SigningKey> signingKey)
            throws IOException {
        Manifest manifest = ModelDirectory.verify(dir);
        String version = manifest.version();
        if (history().versions().containsKey(version)) {
            throw new IllegalArgumentException("model version " + version + " is already published: versions are"
                    + " immutable, so publish a new directory (a new version) instead");
        }
        Map<String, String> labels = new HashMap<>(attributes);
        labels.putIfAbsent(ModelHistory.LATENT_SPACE, latentSpaceOf(dir));
        Optional<VersionSignature> signature = signingKey.map(key -> key.sign(dir.resolve(ModelDirectory.MANIFEST)));
        signature.ifPresent(signed -> labels.put(SIGNED_BY, signed.keyId()));
        store.upload(dir, manifest, signature);
        if (signature.isPresent()) {
            keepBeside(dir, signature.get());
        }
        record(version, ModelEventType.PUBLISHED, "published from " + dir.toAbsolutePath(), figures(dir), labels);
        return version;
    }

    /**
     * The signature beside the published directory's manifest too, so the directory can be checked where it lies
     * ({@link TrustedKeys#verify(Path)}: {@code demo --model DIR --trusted-keys}). The version in storage is signed
     * either way, so a directory that cannot be written (a read-only copy) only goes without it.
     */
    private static void keepBeside(Path dir, VersionSignature signature) {
        try {
            Files.write(dir.resolve(VersionSignature.FILE_NAME), signature.toJson());
        } catch (IOException e) {
            // not an error: see above
        }
    }

    /** {@link #promote(String, String, Duration)} with the {@link #DEFAULT_LEAD}. */
    public Instant promote(String version, String reason) {
        return promote(version, reason, DEFAULT_LEAD);
    }

    /**
     * Records PROMOTED for a published version that was not rejected, with the version served before. Running encode
     * jobs load it at once and encode with it every image stamped at or after the returned time, {@code lead} from now
     * ({@link ServingTimeline}).
     */
    public Instant promote(String version, String reason, Duration lead) {
        return promote(version, reason, lead, Map.of());
    }

    /** {@link #promote(String, String, Duration)} with the figures that decided it (a promotion gate's). */
    public Instant promote(String version, String reason, Duration lead, Map<String, Double> figures) {
        ModelHistory history = history();
        ModelHistory.VersionState state = history.versions().get(version);
        if (state == null) {
            throw new IllegalArgumentException("model version " + version + " is not published: "
                    + "'latentflow models publish DIR' first (known: " + history.versions().keySet() + ")");
        }
        if (state.state() == ModelEventType.REJECTED) {
            throw new IllegalArgumentException("model version " + version + " was rejected (" + state.reason()
                    + "): it cannot be promoted");
        }
        Map<String, String> attributes = new HashMap<>();
        history.serving().ifPresent(previous -> attributes.put("previous", previous));
        attributes.putAll(latentSpaceChange(history, state));
        // the lead counts from the event's own time, to the millisecond it is stored with
        Instant recordedAt = Instant.ofEpochMilli(System.currentTimeMillis());
        Instant effective = effectiveAfter(recordedAt, lead);
        attributes.put(ServingTimeline.EFFECTIVE_FROM, Long.toString(effective.toEpochMilli()));
        record(version, ModelEventType.PROMOTED, reason, figures, attributes, recordedAt);
        return effective;
    }

    /**
     * What a promotion does to the latent space, for its event: the new version's {@code latentSpace}, and when the
     * serving version's differs, {@code previousLatentSpace} and {@code latentSpaceChanged = true}: the latents
     * written from then on mean something else than those before, and a downstream diffusion model trained on the old
     * ones needs the history re-encoded ({@code replay --backfill}). Versions published before they carried a latent
     * space say nothing.
     */
    static Map<String, String> latentSpaceChange(ModelHistory history, ModelHistory.VersionState promoted) {
        Map<String, String> attributes = new HashMap<>();
        if (promoted.latentSpace().isEmpty()) {
            return attributes;
        }
        attributes.put(ModelHistory.LATENT_SPACE, promoted.latentSpace());
        String before = history.serving().map(history.versions()::get).map(ModelHistory.VersionState::latentSpace)
                .orElse("");
        if (!before.isEmpty() && !before.equals(promoted.latentSpace())) {
            attributes.put(PREVIOUS_LATENT_SPACE, before);
            attributes.put(LATENT_SPACE_CHANGED, "true");
        }
        return attributes;
    }

    /**
     * The version's latent space (the directory verified already): as its config.json states it, which an imported
     * VAE's does, else computed from its encoder's weights, which takes loading the whole version.
     */
    static String latentSpaceOf(Path dir) throws IOException {
        String stated = JSON.readTree(dir.resolve(ModelDirectory.CONFIG).toFile()).path(ModelHistory.LATENT_SPACE)
                .asText("");
        if (!stated.isEmpty()) {
            return stated;
        }
        try (ServingModel model = ServingModel.load(dir, Device.cpu())) {
            return model.latentSpace();
        }
    }

    /** Records REJECTED with the cause and the figures that decided it. */
    public void reject(String version, String reason, Map<String, Double> figures) {
        record(version, ModelEventType.REJECTED, reason, figures, Map.of());
    }

    /** Rolls serving back to the version served before the current one, {@link #DEFAULT_LEAD} from now; returns it. */
    public String rollback(String reason) {
        ModelHistory history = history();
        String current = history.serving().orElseThrow(() ->
                new IllegalStateException("no version is serving: nothing to roll back"));
        String previous = history.servedBefore(current).orElseThrow(() -> new IllegalStateException("version "
                + current + " is the first one ever promoted: there is nothing to roll back to"));
        Instant recordedAt = Instant.ofEpochMilli(System.currentTimeMillis());
        record(current, ModelEventType.ROLLED_BACK, reason, Map.of(), Map.of("to", previous,
                ServingTimeline.EFFECTIVE_FROM, Long.toString(effectiveAfter(recordedAt, DEFAULT_LEAD).toEpochMilli())),
                recordedAt);
        return previous;
    }

    /** Every event so far, in order, and what they add up to. */
    public ModelHistory history() {
        return readHistory(kafka);
    }

    /**
     * {@link #history()} with a consumer alone: for readers that only look (the training job's operators, which count
     * every 30 s), without the producer, admin and object-store clients a registry opens.
     */
    public static ModelHistory readHistory(KafkaSettings kafka) {
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka.clientProperties())) {
            return ModelHistory.of(reader.readFrom(Topics.MODEL_EVENTS, Map.of(), CODEC));
        }
    }

    /** Downloads a published version into {@code dir} and verifies it there; throws naming the file that is wrong. */
    public Path download(String version, Path dir) throws IOException {
        return store.download(version, dir);
    }

    /** {@link #download(String, Path)} of a version signed by one of {@code trusted}; throws saying why not. */
    public Path download(String version, Path dir, TrustedKeys trusted) throws IOException {
        return store.download(version, dir, trusted);
    }

    /** {@link ModelStore#checkSignature}: whether {@code trusted} would let the stored version serve, and why not. */
    public void checkSignature(String version, TrustedKeys trusted) throws IOException {
        store.checkSignature(version, trusted);
    }

    /** {@code s3://bucket/models/<version>/}. */
    public String uri(String version) {
        return store.uri(version);
    }

    @Override
    public void close() {
        producer.close();
    }

    private void record(String version, ModelEventType type, String reason, Map<String, Double> figures,
                        Map<String, String> attributes) {
        record(version, type, reason, figures, attributes, Instant.now());
    }

    private void record(String version, ModelEventType type, String reason, Map<String, Double> figures,
                        Map<String, String> attributes, Instant time) {
        ModelEvent event = ModelEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setVersion(version)
                .setType(type)
                .setTime(time)
                .setUri(uri(version))
                .setReason(reason)
                .setFigures(Map.copyOf(figures))
                .setAttributes(Map.copyOf(attributes))
                .build();
        try {
            producer.send(new ProducerRecord<>(Topics.MODEL_EVENTS, event.getEventId(), CODEC.encode(event))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording " + type + " of " + version, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not record " + type + " of " + version + " on "
                    + Topics.MODEL_EVENTS + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Validation figures of the version's metrics.json (PSNR, SSIM, latent statistics), for the PUBLISHED event. */
    private static Map<String, Double> figures(Path dir) throws IOException {
        Map<String, Double> figures = new HashMap<>();
        Path metrics = dir.resolve(ModelDirectory.METRICS);
        if (Files.isRegularFile(metrics)) {
            JsonNode json = JSON.readTree(metrics.toFile());
            for (String name : List.of("psnr", "ssim", "latentStd", "fractionOutsideUnit", "blackHolePositions")) {
                if (json.path(name).isNumber()) {
                    figures.put(name, json.get(name).asDouble());
                }
            }
        }
        return figures;
    }

    private static Instant effectiveAfter(Instant recordedAt, Duration lead) {
        if (lead.compareTo(ServingTimeline.MIN_LEAD) < 0) {
            throw new IllegalArgumentException("a change of the serving version takes effect at least "
                    + ServingTimeline.MIN_LEAD.toSeconds() + " s after it is recorded (encoders read the log that far"
                    + " ahead); " + lead + " is shorter");
        }
        return recordedAt.plus(lead);
    }

    /** Creates the compacted {@code model-events} topic unless it exists. */
    public static void ensureTopic(KafkaSettings kafka) {
        Properties props = kafka.clientProperties();
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(Topics.MODEL_EVENTS, Optional.of(1), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + Topics.MODEL_EVENTS + ": "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + Topics.MODEL_EVENTS, e);
        }
    }
}
