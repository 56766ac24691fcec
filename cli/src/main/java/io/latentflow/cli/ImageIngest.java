package io.latentflow.cli;

import io.latentflow.connections.S3Settings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.minio.MinioClient;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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

    /** A file that did not reach the topic, and why. */
    public record Failure(String file, String reason) {
    }

    /**
     * @param sent        records the broker acknowledged
     * @param failed      files that were not sent, each with its reason
     * @param bytes       bytes of the files sent (inline or by reference)
     * @param skipped     files not sent because the ledger has them sent already, unchanged
     * @param newVersions files that changed after they were sent and were sent again, as a new version of the image
     */
    public record Report(int sent, List<Failure> failed, long bytes, int skipped, List<String> newVersions) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final S3Settings s3;
    private final MinioClient storage;
    private final Limits limits;
    private final Bookkeeping bookkeeping;
    private final AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);

    /** @param s3 where large files go; null to refuse files over the inline limit */
    public ImageIngest(String bootstrapServers, String topic, S3Settings s3, Limits limits) {
        this(bootstrapServers, topic, s3, limits, Bookkeeping.NONE);
    }

    /** @param s3 where large files go; null to refuse files over the inline limit */
    public ImageIngest(String bootstrapServers, String topic, S3Settings s3, Limits limits, Bookkeeping bookkeeping) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        // Room for an inline file plus the record around it; the broker's own limit still applies.
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(limits.maxInlineBytes() + 64 * 1024));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.s3 = s3;
        this.storage = s3 == null ? null : s3.newClient();
        this.limits = limits;
        this.bookkeeping = bookkeeping;
    }

    /**
     * Sends every file of {@code paths} (a folder: its regular files in name order, less names of files still being
     * written; a file: itself), in order, and waits for the broker's answer to each.
     *
     * @param source the records' source; null for each folder's name (a file's parent folder's)
     */
    public Report send(List<Path> paths, String source, Instant firstEventTime, Duration eventStep) {
        return sendFiles(IngestFile.of(paths), source, firstEventTime, eventStep);
    }

    /** Sends {@code files}, in order, and waits for the broker's answer to each. */
    public Report sendFiles(List<IngestFile> files, String source, Instant firstEventTime, Duration eventStep) {
        List<Pending> pending = new ArrayList<>();
        List<Failure> failed = new ArrayList<>();
        List<String> newVersions = new ArrayList<>();
        int skipped = 0;
        int index = 0;
        for (IngestFile file : files) {
            String recordSource = source != null ? source : file.defaultSource();
            try {
                Optional<Pending> sending = send(file, recordSource, firstEventTime.plus(eventStep.multipliedBy(index)));
                if (sending.isEmpty()) {
                    skipped++; // takes no event-time step: what is sent keeps the spacing it would have alone
                    continue;
                }
                pending.add(sending.get());
                if (sending.get().changed()) {
                    newVersions.add(file.file().toString());
                }
            } catch (IngestException e) {
                failed.add(new Failure(file.file().toString(), e.getMessage()));
            }
            index++;
        }
        producer.flush();
        int sent = 0;
        long bytes = 0;
        for (Pending p : pending) {
            try {
                RecordMetadata acknowledged = p.acknowledgement().get();
                sent++;
                bytes += p.bytes();
                remember(p, acknowledged, failed);
            } catch (ExecutionException e) {
                failed.add(new Failure(p.file().file().toString(), "the broker refused it: " + e.getCause().getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.add(new Failure(p.file().file().toString(), "interrupted before the broker answered"));
            }
        }
        if (bookkeeping.ledger() != null) {
            bookkeeping.ledger().sync();
        }
        return new Report(sent, List.copyOf(failed), bytes, skipped, List.copyOf(newVersions));
    }

    /** The file sent, or empty when the ledger has it sent already in this very state. */
    private Optional<Pending> send(IngestFile file, String source, Instant eventTime) throws IngestException {
        Path path = file.file();
        long size = size(path);
        long modified = modifiedMillis(path);
        Optional<IngestLedger.Entry> before = bookkeeping.ledger() == null ? Optional.empty()
                : bookkeeping.ledger().latest(path);
        if (!bookkeeping.resend() && before.filter(e -> e.size() == size && e.modifiedMillis() == modified).isPresent()) {
            return Optional.empty();
        }
        if (size > limits.maxUploadBytes()) {
            throw new IngestException("it is " + megabytes(size) + ", over the upload limit of "
                    + megabytes(limits.maxUploadBytes()) + " (--max-upload-bytes)");
        }
        byte[] bytes = read(path);
        String sha256 = ImageIds.sha256(bytes);
        if (!bookkeeping.resend() && before.filter(e -> e.sha256().equals(sha256)).isPresent()) {
            return Optional.empty(); // touched, not changed
        }
        ImageRecord.Builder record = ImageRecord.newBuilder()
                .setId(ImageIds.of(source, file.relativePath(), sha256))
                .setSource(source)
                .setEventTime(eventTime)
                .setAttributes(Map.of("file", path.getFileName().toString(), "sha256", sha256));
        if (bytes.length <= limits.maxInlineBytes()) {
            record.setInlineBytes(ByteBuffer.wrap(bytes));
        } else {
            record.setObjectUri(upload(path, record.getId(), bytes));
        }
        ImageRecord built = record.build();
        // the record's Kafka timestamp is when it was sent (the image's own time is its eventTime field): it decides
        // which model version encodes it when the serving version changes
        Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, built.getId(), codec.encode(built)));
        boolean changed = before.isPresent() && !before.get().sha256().equals(sha256);
        return Optional.of(new Pending(file, bytes.length, modified, sha256, built.getId(), changed, ack));
    }

    /** Into the ledger, then out of the way: a crash in between sends it again, and the job drops the duplicate. */
    private void remember(Pending sent, RecordMetadata acknowledged, List<Failure> failed) {
        if (bookkeeping.ledger() != null) {
            bookkeeping.ledger().append(new IngestLedger.Entry(IngestLedger.key(sent.file().file()), sent.bytes(),
                    sent.modifiedMillis(), sent.sha256(), sent.id(), acknowledged.topic(), acknowledged.partition(),
                    acknowledged.offset(), Instant.now().toString()));
        }
        if (bookkeeping.moveTo() != null) {
            try {
                moveOutOfTheWay(sent);
            } catch (IOException e) {
                failed.add(new Failure(sent.file().file().toString(), "sent as " + sent.id() + ", but moving it to "
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

    private String upload(Path file, String id, byte[] bytes) throws IngestException {
        if (storage == null) {
            throw new IngestException("it is " + megabytes(bytes.length) + ", over the inline limit of "
                    + megabytes(limits.maxInlineBytes()) + ", and no object storage was given to upload it to");
        }
        String key = "incoming/" + LocalDate.now(ZoneOffset.UTC) + "/" + ImageIds.sha256(id).substring(0, 16)
                + "-" + file.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            storage.putObject(PutObjectArgs.builder().bucket(s3.bucket()).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
        } catch (Exception e) {
            throw new IngestException("uploading it to " + s3.uri(key) + " failed: " + e.getMessage());
        }
        return s3.uri(key);
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

    private record Pending(IngestFile file, long bytes, long modifiedMillis, String sha256, String id, boolean changed,
                           Future<RecordMetadata> acknowledgement) {
    }

    /** Why one file could not be sent; the others still go. */
    private static final class IngestException extends Exception {
        IngestException(String message) {
            super(message);
        }
    }
}
