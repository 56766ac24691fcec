package io.latentflow.cli;

import io.latentflow.imaging.ImageFolders;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Streams every regular file of folders into the images topic, whatever the file is: telling good
 * images from bad ones is the pipeline's job, not the producer's. Event time advances a fixed step per
 * image across all folders, so a change of folder is a change of distribution in event time.
 */
public final class ImageFolderProducer implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);

    public ImageFolderProducer(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(32 * 1024 * 1024));
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** Sends the files of each folder in order and returns how many records were sent. */
    public int send(List<Path> folders, Instant firstEventTime, Duration eventStep) {
        int sent = 0;
        for (Path folder : folders) {
            String source = folder.getFileName().toString();
            for (Path file : ImageFolders.files(folder)) {
                Instant eventTime = firstEventTime.plus(eventStep.multipliedBy(sent));
                ImageRecord record = ImageRecord.newBuilder()
                        .setId(source + "/" + file.getFileName())
                        .setSource(source)
                        .setEventTime(eventTime)
                        .setInlineBytes(java.nio.ByteBuffer.wrap(readAll(file)))
                        .setAttributes(Map.of("file", file.getFileName().toString()))
                        .build();
                producer.send(new ProducerRecord<>(topic, null, eventTime.toEpochMilli(), record.getId(),
                        codec.encode(record)));
                sent++;
            }
        }
        producer.flush();
        return sent;
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file.toAbsolutePath(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
