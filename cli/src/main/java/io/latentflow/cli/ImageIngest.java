package io.latentflow.cli;

import io.latentflow.connections.S3Settings;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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

    /** A file that did not reach the topic, and why. */
    public record Failure(String file, String reason) {
    }

    /**
     * @param sent   records the broker acknowledged
     * @param failed files that were not sent, each with its reason
     * @param bytes  bytes of the files sent (inline or by reference)
     */
    public record Report(int sent, List<Failure> failed, long bytes) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final S3Settings s3;
    private final MinioClient storage;
    private final Limits limits;
    private final AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);

    /** @param s3 where large files go; null to refuse files over the inline limit */
    public ImageIngest(String bootstrapServers, String topic, S3Settings s3, Limits limits) {
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
    }

    /**
     * Sends every file of {@code paths} (a folder: its regular files in name order; a file: itself), in order, and
     * waits for the broker's answer to each.
     *
     * @param source the records' source; null for each folder's name (a file's parent folder's)
     */
    public Report send(List<Path> paths, String source, Instant firstEventTime, Duration eventStep) {
        List<Pending> pending = new ArrayList<>();
        List<Failure> failed = new ArrayList<>();
        int index = 0;
        for (Path path : paths) {
            List<Path> files = Files.isDirectory(path) ? ImageFolders.files(path) : List.of(path);
            for (Path file : files) {
                String recordSource = source != null ? source : sourceOf(path, file);
                Instant eventTime = firstEventTime.plus(eventStep.multipliedBy(index++));
                try {
                    pending.add(send(file, recordSource, eventTime));
                } catch (IngestException e) {
                    failed.add(new Failure(file.toString(), e.getMessage()));
                }
            }
        }
        producer.flush();
        int sent = 0;
        long bytes = 0;
        for (Pending p : pending) {
            try {
                p.acknowledgement().get();
                sent++;
                bytes += p.bytes();
            } catch (ExecutionException e) {
                failed.add(new Failure(p.file().toString(), "the broker refused it: " + e.getCause().getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.add(new Failure(p.file().toString(), "interrupted before the broker answered"));
            }
        }
        return new Report(sent, List.copyOf(failed), bytes);
    }

    private Pending send(Path file, String source, Instant eventTime) throws IngestException {
        long size = size(file);
        ImageRecord.Builder record = ImageRecord.newBuilder()
                .setId(source + "/" + file.getFileName())
                .setSource(source)
                .setEventTime(eventTime)
                .setAttributes(Map.of("file", file.getFileName().toString()));
        if (size > limits.maxUploadBytes()) {
            throw new IngestException("it is " + megabytes(size) + ", over the upload limit of "
                    + megabytes(limits.maxUploadBytes()) + " (--max-upload-bytes)");
        }
        byte[] bytes = read(file);
        if (size <= limits.maxInlineBytes()) {
            record.setInlineBytes(ByteBuffer.wrap(bytes));
        } else {
            record.setObjectUri(upload(file, record.getId(), bytes));
        }
        ImageRecord built = record.build();
        // the record's Kafka timestamp is when it was sent (the image's own time is its eventTime field): it decides
        // which model version encodes it when the serving version changes
        Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, built.getId(), codec.encode(built)));
        return new Pending(file, size, ack);
    }

    private String upload(Path file, String id, byte[] bytes) throws IngestException {
        if (storage == null) {
            throw new IngestException("it is " + megabytes(bytes.length) + ", over the inline limit of "
                    + megabytes(limits.maxInlineBytes()) + ", and no object storage was given to upload it to");
        }
        String key = "incoming/" + LocalDate.now(ZoneOffset.UTC) + "/" + HexFormat.of().formatHex(sha256(id), 0, 8)
                + "-" + file.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            storage.putObject(PutObjectArgs.builder().bucket(s3.bucket()).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
        } catch (Exception e) {
            throw new IngestException("uploading it to " + s3.uri(key) + " failed: " + e.getMessage());
        }
        return s3.uri(key);
    }

    private static String sourceOf(Path given, Path file) {
        Path folder = Files.isDirectory(given) ? given : file.toAbsolutePath().getParent();
        return folder == null || folder.getFileName() == null ? "files" : folder.getFileName().toString();
    }

    private static long size(Path file) throws IngestException {
        try {
            return Files.size(file);
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

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    private record Pending(Path file, long bytes, Future<RecordMetadata> acknowledgement) {
    }

    /** Why one file could not be sent; the others still go. */
    private static final class IngestException extends Exception {
        IngestException(String message) {
            super(message);
        }
    }
}
