package io.latentflow.cli.ingest;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import java.io.InputStream;
import java.net.URI;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends image files into the images topic and accounts for every one of them: each file is either acknowledged by
 * the broker (then the pipeline turns it into a latent or a dead letter) or reported as an ingest failure with its
 * name and the reason. Telling good images from bad ones is the pipeline's job; getting every file to it, or saying
 * why not, is this class's.
 *
 * <p>A file larger than {@link Limits#maxInlineBytes} (the broker refuses messages over its message.max.bytes, 1 MB by
 * default) is uploaded to object storage under {@code incoming/} and sent as an {@code s3://} reference, up to
 * {@link Limits#maxUploadBytes}. Event time advances a fixed step per file across all paths, so a change of folder is
 * a change of distribution in event time.
 *
 * <p>Each record's id is {@link ImageIds deterministic}, so the encode job keeps one latent of a file sent twice. With
 * a {@link IngestLedger ledger} ({@link Bookkeeping}), a file the broker acknowledged before is not sent again unless
 * it changed (then it goes as a new version of its image, with a new id), and an acknowledged file can be moved out of
 * the folder.
 *
 * <p>A webdataset shard (local, or {@code s3://} through {@link #sendObjects}) is streamed one sample at a time; each
 * sample's image goes with its caption, metadata and key, and a sample with no image (a failed download) is set aside
 * with the reason. What is not an image at all is never sent: {@link Report#setAside} names each with the reason.
 */
public final class ImageIngest implements AutoCloseable {

    /**
     * @param maxInlineBytes largest file sent inside the record; keep it under the broker's message.max.bytes
     * @param maxUploadBytes largest file uploaded to object storage and sent by reference
     */
    public record Limits(int maxInlineBytes, long maxUploadBytes) {

        public static final Limits DEFAULTS = new Limits(512 * 1024, 256L * 1024 * 1024);

        public Limits {
            if (maxInlineBytes < 1 || maxUploadBytes < maxInlineBytes) {
                throw new IllegalArgumentException("ingest limits: inline " + maxInlineBytes + " bytes, upload "
                        + maxUploadBytes + " bytes; need 1 <= inline <= upload");
            }
        }
    }

    /**
     * What the ingest remembers and does with a file once it is sent.
     *
     * @param ledger where acknowledged files are remembered and looked up, so that nothing is sent twice; null for none
     * @param resend send every file even when the ledger has it already
     * @param moveTo move each acknowledged file under this folder (at its path relative to its ingested folder); null
     *               to leave it where it is
     */
    public record Bookkeeping(IngestLedger ledger, boolean resend, Path moveTo) {

        /** Send every file given, remember nothing, move nothing (the demo, tests). */
        public static final Bookkeeping NONE = new Bookkeeping(null, false, null);
    }

    /** An input that did not reach the topic (a file, a shard's sample: {@code shard.tar#key}), and why. */
    public record Failure(String file, String reason) {
    }

    /**
     * @param sent        records the broker acknowledged
     * @param failed      inputs that should have been sent and were not, each with its reason
     * @param bytes       bytes of the images sent (inline or by reference)
     * @param skipped     files not sent because the ledger has them sent already, unchanged
     * @param newVersions files that changed after they were sent and were sent again, as a new version of the image
     * @param setAside    inputs that are not images and were not sent, each with the reason (a caption with no image
     *                    beside it, a failed download in a shard, a subfolder with --no-recursive); not an error
     */
    public record Report(int sent, List<Failure> failed, long bytes, int skipped, List<String> newVersions,
                         List<Failure> setAside) {

        public Report(int sent, List<Failure> failed, long bytes, int skipped, List<String> newVersions) {
            this(sent, failed, bytes, skipped, newVersions, List.of());
        }

        /** This report and then {@code later}'s, as one. */
        public Report plus(Report later) {
            return new Report(sent + later.sent, concat(failed, later.failed), bytes + later.bytes,
                    skipped + later.skipped, concat(newVersions, later.newVersions), concat(setAside, later.setAside));
        }

        private static <T> List<T> concat(List<T> first, List<T> second) {
            List<T> both = new ArrayList<>(first);
            both.addAll(second);
            return List.copyOf(both);
        }
    }

    /** What a shard sample's member extension must be to be sent as its image. */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff");
    /** Attributes the ingest sets itself; a metadata field of the same name does not replace them. */
    private static final Set<String> OWN_ATTRIBUTES = Set.of("file", "sha256", "sample");

    /**
     * How long an upload waits for object storage that does not answer (a restart of the server, a network blip):
     * the patience the producer has with the broker ({@code delivery.timeout.ms}), so that a chunk sent while either
     * is briefly away is sent, not reported failed.
     */
    static final Duration STORAGE_PATIENCE = Duration.ofSeconds(60);
    private static final Duration STORAGE_RETRY = Duration.ofSeconds(1);
    private static final long REACHABLE = Long.MIN_VALUE;

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final S3Settings s3;
    private final MinioClient storage;
    private final Limits limits;
    private final Bookkeeping bookkeeping;
    private final AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);
    private long storageUnreachableSince = REACHABLE;

    /** @param s3 where large files go; null to refuse files over the inline limit */
    public ImageIngest(KafkaSettings kafka, String topic, S3Settings s3, Limits limits) {
        this(kafka, topic, s3, limits, Bookkeeping.NONE);
    }

    /** @param s3 where large files go; null to refuse files over the inline limit */
    public ImageIngest(KafkaSettings kafka, String topic, S3Settings s3, Limits limits, Bookkeeping bookkeeping) {
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        // Room for an inline file plus the record around it; the broker's own limit still applies.
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(limits.maxInlineBytes() + 64 * 1024));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(STORAGE_PATIENCE.toMillis()));
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.s3 = s3;
        this.storage = s3 == null ? null : s3.newClient();
        this.limits = limits;
        this.bookkeeping = bookkeeping;
    }

    /**
     * Sends every image of {@code paths} ({@link IngestInputs}: folders recursively, files, webdataset shards), in
     * order, and waits for the broker's answer to each.
     *
     * @param source the records' source; null for each folder's name (a file's parent folder's)
     */
    public Report send(List<Path> paths, String source, Instant firstEventTime, Duration eventStep) {
        return send(paths, new IngestInputs(true, false), source, firstEventTime, eventStep);
    }

    /** The same, finding the inputs as {@code inputs} says. */
    public Report send(List<Path> paths, IngestInputs inputs, String source, Instant firstEventTime,
                       Duration eventStep) {
        IngestInputs.Found found = inputs.of(paths);
        return new Report(0, List.of(), 0, 0, List.of(), found.setAside())
                .plus(sendFiles(found.files(), source, firstEventTime, eventStep));
    }

    /** Sends {@code files} (images and webdataset shards), in order, and waits for the broker's answer to each. */
    public Report sendFiles(List<IngestFile> files, String source, Instant firstEventTime, Duration eventStep) {
        Batch batch = new Batch(firstEventTime, eventStep);
        for (IngestFile file : files) {
            String recordSource = source != null ? source : file.defaultSource();
            if (file.isShard()) {
                sendShard(file, recordSource, batch);
                continue;
            }
            try {
                batch.add(file.file().toString(), sendFile(file, recordSource, batch.nextEventTime()));
            } catch (IngestException e) {
                batch.failed.add(new Failure(file.file().toString(), e.getMessage()));
                batch.index++;
            }
        }
        return acknowledged(batch);
    }

    /** Waits for the broker's answer to each record of {@code batch}; remembers and moves what it acknowledged. */
    private Report acknowledged(Batch batch) {
        producer.flush();
        int sent = 0;
        long bytes = 0;
        for (Pending p : batch.pending) {
            try {
                RecordMetadata acknowledged = p.acknowledgement().get();
                sent++;
                bytes += p.bytes();
                remember(p, acknowledged, batch.failed);
            } catch (ExecutionException e) {
                batch.failed.add(new Failure(p.name(), "the broker refused it: " + e.getCause().getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.failed.add(new Failure(p.name(), "interrupted before the broker answered"));
            }
        }
        if (bookkeeping.ledger() != null) {
            bookkeeping.ledger().sync();
        }
        return new Report(sent, List.copyOf(batch.failed), bytes, batch.skipped, List.copyOf(batch.newVersions),
                List.copyOf(batch.setAside));
    }

    /** An image file with its sidecars, or empty when the ledger has it sent already in this very state. */
    private Optional<Pending> sendFile(IngestFile file, String source, Instant eventTime) throws IngestException {
        Path path = file.file();
        long size = size(path);
        long modified = modifiedMillis(path);
        String ledgerKey = IngestLedger.key(path);
        if (unchanged(ledgerKey, size, modified)) {
            return Optional.empty();
        }
        if (size > limits.maxUploadBytes()) {
            throw new IngestException("it is " + megabytes(size) + ", over the upload limit of "
                    + megabytes(limits.maxUploadBytes()) + " (--max-upload-bytes)");
        }
        String caption;
        JsonNode metadata;
        try {
            caption = IngestSidecars.captionBeside(path);
            metadata = IngestSidecars.metadataBeside(path);
        } catch (IngestSidecars.BadSidecarException e) {
            throw new IngestException(e.getMessage());
        }
        Map<String, String> attributes = new LinkedHashMap<>(IngestSidecars.attributes(metadata, OWN_ATTRIBUTES));
        attributes.put("file", path.getFileName().toString());
        Image image = new Image(path.toString(), ledgerKey, modified, source, file.relativePath(),
                caption != null ? caption : captionIn(metadata), file.label(), attributes, null, file,
                path.getFileName().toString());
        return send(image, read(path), eventTime);
    }

    /** Each sample of a local webdataset shard, streamed: one sample in memory at a time. */
    private void sendShard(IngestFile shard, String source, Batch batch) {
        Path path = shard.file();
        try (InputStream in = Files.newInputStream(path)) {
            sendShard(new Shard(path.toString(), IngestLedger.key(path), shard.relativePath(),
                    Files.getLastModifiedTime(path).toMillis(), shard.label()), in, source, batch);
        } catch (IOException e) {
            batch.failed.add(new Failure(path.toString(), "it cannot be read: " + e.getMessage()));
        }
    }

    /**
     * Sends every sample of the webdataset shards at {@code uris} ({@code s3://bucket/key.tar}, in the object storage
     * this ingest was given), streamed from the store, and waits for the broker's answer to each.
     *
     * @param source the records' source; null for the name of each object's folder (its bucket at the top)
     */
    public Report sendObjects(List<URI> uris, String source, Instant firstEventTime, Duration eventStep) {
        Batch batch = new Batch(firstEventTime, eventStep);
        for (URI uri : uris) {
            String bucket = uri.getHost();
            String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            if (!"s3".equals(uri.getScheme()) || bucket == null || key.isEmpty() || !IngestSidecars.isShard(key)) {
                batch.failed.add(new Failure(uri.toString(), "not an s3://bucket/key.tar of a webdataset shard"));
                continue;
            }
            if (storage == null) {
                batch.failed.add(new Failure(uri.toString(), "no object storage was given to read it from: give"
                        + " --s3-endpoint, --s3-access-key and --s3-secret-key-file"));
                continue;
            }
            Path keyPath = Path.of(key);
            String recordSource = source != null ? source : keyPath.getParent() != null
                    ? keyPath.getParent().getFileName().toString() : bucket;
            try (InputStream in = storage.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                long modified = storage.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build())
                        .lastModified().toInstant().toEpochMilli();
                sendShard(new Shard(uri.toString(), uri.toString(), keyPath.getFileName(), modified, null), in,
                        recordSource, batch);
            } catch (Exception e) {
                batch.failed.add(new Failure(uri.toString(), "it cannot be read from object storage: "
                        + e.getMessage()));
            }
        }
        return acknowledged(batch);
    }

    /** Each sample of a shard, streamed from {@code in}: one sample in memory at a time. */
    private void sendShard(Shard shard, InputStream in, String source, Batch batch) {
        int samples = 0;
        try (WebDatasetShardReader reader = new WebDatasetShardReader(in, limits.maxUploadBytes())) {
            WebDatasetShardReader.Sample sample;
            while ((sample = reader.next()) != null) {
                samples++;
                String name = shard.name() + "#" + sample.key();
                try {
                    Optional<Image> image = imageOf(shard, sample, name, source, batch.setAside);
                    if (image.isPresent()) {
                        byte[] bytes = sample.members().get(imageExtension(sample).orElseThrow());
                        batch.add(name, send(image.get(), bytes, batch.nextEventTime()));
                    }
                } catch (IngestException e) {
                    batch.failed.add(new Failure(name, e.getMessage()));
                    batch.index++;
                }
            }
        } catch (IOException e) {
            batch.failed.add(new Failure(shard.name(), "it cannot be read as a webdataset tar shard"
                    + (samples > 0 ? " after its first " + samples + " sample(s)" : "") + ": " + e.getMessage()));
        }
    }

    /** The image of a shard's sample with its caption and metadata, or empty (and why, in setAside) when it has none. */
    private Optional<Image> imageOf(Shard shard, WebDatasetShardReader.Sample sample, String name, String source,
                                    List<Failure> setAside) throws IngestException {
        Optional<String> imageExtension = imageExtension(sample);
        JsonNode metadata;
        try {
            byte[] json = sample.members().get("json");
            metadata = json == null ? null : IngestSidecars.metadata(json, sample.key() + ".json");
        } catch (IngestSidecars.BadSidecarException e) {
            metadata = null;
            if (imageExtension.isPresent()) {
                throw new IngestException(e.getMessage());
            }
        }
        for (String extension : sample.members().keySet()) {
            boolean known = IngestSidecars.CAPTION_EXTENSIONS.contains(extension) || extension.equals("json")
                    || extension.equals("cls") || imageExtension.filter(extension::equals).isPresent();
            if (!known) {
                setAside.add(new Failure(name + "." + extension, IMAGE_EXTENSIONS.contains(extension)
                        ? "a second image in the sample; only its ." + imageExtension.orElse("") + " is sent"
                        : "not an image, caption or metadata member of the sample"));
            }
        }
        for (Map.Entry<String, Long> oversized : sample.oversized().entrySet()) {
            if (IMAGE_EXTENSIONS.contains(oversized.getKey()) && imageExtension.isEmpty()) {
                throw new IngestException("its image is " + megabytes(oversized.getValue())
                        + ", over the upload limit of " + megabytes(limits.maxUploadBytes()) + " (--max-upload-bytes)");
            }
            setAside.add(new Failure(name + "." + oversized.getKey(), "a member of " + megabytes(oversized.getValue())
                    + ", over the upload limit: not read"));
        }
        if (imageExtension.isEmpty()) {
            String status = metadata == null ? null : metadata.path(IngestSidecars.STATUS).asText(null);
            String error = metadata == null ? null : metadata.path("error_message").asText(null);
            setAside.add(new Failure(name, status != null && !status.equals("success")
                    ? "a failed download (status " + status + (error != null ? ": " + error : "") + "), no image"
                    : "a sample with no image member (it has " + String.join(", ", sample.members().keySet()) + ")"));
            return Optional.empty();
        }
        String caption;
        try {
            byte[] text = sample.members().getOrDefault("txt", sample.members().get("caption"));
            caption = text != null ? IngestSidecars.caption(text, sample.key() + ".txt") : captionIn(metadata);
        } catch (IngestSidecars.BadSidecarException e) {
            throw new IngestException(e.getMessage());
        }
        String label = shard.label();
        if (label == null && sample.members().containsKey("cls")) {
            label = new String(sample.members().get("cls"), StandardCharsets.UTF_8).strip();
        }
        Map<String, String> attributes = new LinkedHashMap<>(IngestSidecars.attributes(metadata, OWN_ATTRIBUTES));
        attributes.put("file", shard.idPath().getFileName().toString());
        attributes.put("sample", sample.key());
        String upload = sample.key().replace('/', '_') + "." + imageExtension.get();
        return Optional.of(new Image(name, shard.ledgerKey() + "#" + sample.key(), shard.modifiedMillis(), source,
                shard.idPath().resolve(sample.key()), caption, label, attributes, sample.key(), null, upload));
    }

    private static Optional<String> imageExtension(WebDatasetShardReader.Sample sample) {
        return sample.members().keySet().stream().filter(IMAGE_EXTENSIONS::contains).findFirst();
    }

    /** img2dataset also puts the caption in the sample's JSON. */
    private static String captionIn(JsonNode metadata) {
        JsonNode caption = metadata == null ? null : metadata.get("caption");
        return caption != null && caption.isTextual() ? caption.asText() : null;
    }

    private boolean unchanged(String ledgerKey, long size, long modified) {
        return bookkeeping.ledger() != null && !bookkeeping.resend() && bookkeeping.ledger().latest(ledgerKey)
                .filter(e -> e.size() == size && e.modifiedMillis() == modified).isPresent();
    }

    /** The image sent, or empty when the ledger has it sent already with these very bytes. */
    private Optional<Pending> send(Image image, byte[] bytes, Instant eventTime) throws IngestException {
        Optional<IngestLedger.Entry> before = bookkeeping.ledger() == null ? Optional.empty()
                : bookkeeping.ledger().latest(image.ledgerKey());
        if (!bookkeeping.resend() && before.filter(e -> e.size() == bytes.length
                && e.modifiedMillis() == image.modifiedMillis()).isPresent()) {
            return Optional.empty();
        }
        String sha256 = ImageIds.sha256(bytes);
        if (!bookkeeping.resend() && before.filter(e -> e.sha256().equals(sha256)).isPresent()) {
            return Optional.empty(); // touched, not changed
        }
        Map<String, String> attributes = new LinkedHashMap<>(image.attributes());
        attributes.put("sha256", sha256);
        ImageRecord.Builder record = ImageRecord.newBuilder()
                .setId(ImageIds.of(image.source(), image.idPath(), sha256))
                .setSource(image.source())
                .setEventTime(eventTime)
                .setAttributes(attributes)
                .setCaption(image.caption())
                .setLabel(image.label())
                .setSampleKey(image.sampleKey());
        if (bytes.length <= limits.maxInlineBytes()) {
            record.setInlineBytes(ByteBuffer.wrap(bytes));
        } else {
            record.setObjectUri(upload(image.uploadName(), record.getId(), bytes));
        }
        ImageRecord built = record.build();
        // the record's Kafka timestamp is when it was sent (the image's own time is its eventTime field): it decides
        // which model version encodes it when the serving version changes
        Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, built.getId(), codec.encode(built)));
        boolean changed = before.isPresent() && !before.get().sha256().equals(sha256);
        return Optional.of(new Pending(image.name(), image.ledgerKey(), image.movable(), bytes.length,
                image.modifiedMillis(), sha256, built.getId(), changed, ack));
    }

    /** Into the ledger, then out of the way: a crash in between sends it again, and the job drops the duplicate. */
    private void remember(Pending sent, RecordMetadata acknowledged, List<Failure> failed) {
        if (bookkeeping.ledger() != null) {
            bookkeeping.ledger().append(new IngestLedger.Entry(sent.ledgerKey(), sent.bytes(),
                    sent.modifiedMillis(), sent.sha256(), sent.id(), acknowledged.topic(), acknowledged.partition(),
                    acknowledged.offset(), Instant.now().toString()));
        }
        if (bookkeeping.moveTo() != null && sent.file() != null) {
            try {
                moveOutOfTheWay(sent);
            } catch (IOException e) {
                failed.add(new Failure(sent.name(), "sent as " + sent.id() + ", but moving it to "
                        + bookkeeping.moveTo() + " failed: " + e.getMessage()));
            }
        }
    }

    /** To its path under --move-to; a name already taken there gets the content hash before its extension. */
    private void moveOutOfTheWay(Pending sent) throws IOException {
        Path target = bookkeeping.moveTo().resolve(sent.file().relativePath().toString());
        if (Files.exists(target)) {
            String name = target.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String tag = "-" + sent.sha256().substring(0, ImageIds.CONTENT_HEX_CHARS);
            target = target.resolveSibling(dot > 0 ? name.substring(0, dot) + tag + name.substring(dot) : name + tag);
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        try {
            Files.move(sent.file().file(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(sent.file().file(), target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private String upload(String fileName, String id, byte[] bytes) throws IngestException {
        if (storage == null) {
            throw new IngestException("it is " + megabytes(bytes.length) + ", over the inline limit of "
                    + megabytes(limits.maxInlineBytes()) + ", and no object storage was given to upload it to");
        }
        String key = "incoming/" + LocalDate.now(ZoneOffset.UTC) + "/" + ImageIds.sha256(id).substring(0, 16)
                + "-" + fileName.replaceAll("[^A-Za-z0-9._-]", "_");
        while (true) {
            try {
                storage.putObject(PutObjectArgs.builder().bucket(s3.bucket()).object(key)
                        .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
                storageUnreachableSince = REACHABLE;
                return s3.uri(key);
            } catch (IOException unreachable) {
                if (!awaitStorage()) {
                    throw new IngestException("uploading it to " + s3.uri(key) + " failed: object storage did not"
                            + " answer for " + STORAGE_PATIENCE.toSeconds() + " s (" + unreachable.getMessage() + ")");
                }
            } catch (Exception e) {
                throw new IngestException("uploading it to " + s3.uri(key) + " failed: " + e.getMessage());
            }
        }
    }

    /**
     * Pauses before the next try while the current outage of object storage is younger than
     * {@link #STORAGE_PATIENCE}; false once it is older, so that the files after it fail at once instead of each
     * waiting its own minute.
     */
    private boolean awaitStorage() throws IngestException {
        long now = System.nanoTime();
        if (storageUnreachableSince == REACHABLE) {
            storageUnreachableSince = now;
        }
        if (now - storageUnreachableSince > STORAGE_PATIENCE.toNanos()) {
            return false;
        }
        try {
            Thread.sleep(STORAGE_RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException("interrupted while object storage did not answer");
        }
        return true;
    }

    private static long size(Path file) throws IngestException {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new IngestException("it cannot be read: " + e.getMessage());
        }
    }

    private static long modifiedMillis(Path file) throws IngestException {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (java.io.IOException e) {
            throw new IngestException("it cannot be read: " + e.getMessage());
        }
    }

    private static byte[] read(Path file) throws IngestException {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new IngestException("it cannot be read: " + e.getMessage());
        }
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /**
     * @param file the file to move once it is acknowledged; null for a shard's sample (the shard stays)
     */
    private record Pending(String name, String ledgerKey, IngestFile file, long bytes, long modifiedMillis,
                           String sha256, String id, boolean changed, Future<RecordMetadata> acknowledgement) {
    }

    /**
     * A webdataset shard, local or in object storage.
     *
     * @param name      how reports name it: its path or its URI
     * @param ledgerKey what its samples' ledger keys start with
     * @param idPath    the path its samples' ids start with
     * @param label     the label of all its samples ({@code --labels-from-folders}), or null
     */
    private record Shard(String name, String ledgerKey, Path idPath, long modifiedMillis, String label) {
    }

    /**
     * One image to send, from a file or a shard's sample.
     *
     * @param name       how reports name it: the file, or {@code shard.tar#key}
     * @param idPath     the path its {@link ImageIds id} names
     * @param sampleKey  its key in the dataset it came from, or null
     * @param movable    the file to move under --move-to, or null
     * @param uploadName the file name its object gets when it is too large to inline
     */
    private record Image(String name, String ledgerKey, long modifiedMillis, String source, Path idPath,
                         String caption, String label, Map<String, String> attributes, String sampleKey,
                         IngestFile movable, String uploadName) {
    }

    /** What one send has done so far, input by input; the event time advances one step per input tried. */
    private static final class Batch {
        final List<Pending> pending = new ArrayList<>();
        final List<Failure> failed = new ArrayList<>();
        final List<Failure> setAside = new ArrayList<>();
        final List<String> newVersions = new ArrayList<>();
        final Instant firstEventTime;
        final Duration eventStep;
        int skipped;
        int index;

        Batch(Instant firstEventTime, Duration eventStep) {
            this.firstEventTime = firstEventTime;
            this.eventStep = eventStep;
        }

        Instant nextEventTime() {
            return firstEventTime.plus(eventStep.multipliedBy(index));
        }

        void add(String name, Optional<Pending> sending) {
            if (sending.isEmpty()) {
                skipped++; // takes no event-time step: what is sent keeps the spacing it would have alone
                return;
            }
            pending.add(sending.get());
            if (sending.get().changed()) {
                newVersions.add(name);
            }
            index++;
        }
    }

    /** Why one file could not be sent; the others still go. */
    private static final class IngestException extends Exception {
        IngestException(String message) {
            super(message);
        }
    }
}
