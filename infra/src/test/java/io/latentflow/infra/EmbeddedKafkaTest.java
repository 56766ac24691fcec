package io.latentflow.infra;

import io.latentflow.connections.KafkaSettings;
import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.AvroDeserializer;
import io.latentflow.schemas.AvroSerializer;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @TempDir
    Path state;

    @Test
    void committedTransactionsAreReadAndAbortedOnesAreNot() {
        int brokerPort;
        int controllerPort;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(state)) {
            brokerPort = kafka.brokerPort();
            controllerPort = kafka.controllerPort();
            kafka.createTopics(2, Topics.IMAGES);
            kafka.createTopics(2, Topics.IMAGES); // again: a no-op, not an error

            try (KafkaProducer<String, ImageRecord> producer = transactionalProducer(kafka.settings())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(Topics.IMAGES, "a", image("committed-1")));
                producer.send(new ProducerRecord<>(Topics.IMAGES, "b", image("committed-2")));
                producer.commitTransaction();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>(Topics.IMAGES, "c", image("aborted")));
                producer.flush();
                producer.abortTransaction();
            }

            assertThat(readCommittedIds(kafka.settings(), 2)).containsExactlyInAnyOrder("committed-1", "committed-2");
        }
        Ports.assertNothingListensOn(brokerPort);
        Ports.assertNothingListensOn(controllerPort);
    }

    @Test
    void aRestartOnTheSameStateKeepsTopicsAndRecords() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(state)) {
            commitOneLatent(kafka, "before-restart");
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(state)) {
            assertThat(readCommittedIds(kafka.settings(), 1, Topics.LATENTS)).containsExactly("before-restart");
        }
    }

    @Test
    void aRestartComesBackOnTheSameAddressWithItsRecords() {
        EmbeddedKafka kafka = EmbeddedKafka.start(state);
        try {
            commitOneLatent(kafka, "before-restart");
            String address = kafka.bootstrapServers();

            kafka = kafka.restart();

            assertThat(kafka.bootstrapServers()).isEqualTo(address);
            assertThat(readCommittedIds(kafka.settings(), 1, Topics.LATENTS)).containsExactly("before-restart");
        } finally {
            kafka.close();
        }
    }

    /** Creates the latents topic and commits one record of image {@code id} to it. */
    private static void commitOneLatent(EmbeddedKafka kafka, String id) {
        kafka.createTopics(1, Topics.LATENTS);
        try (KafkaProducer<String, ImageRecord> producer = transactionalProducer(kafka.settings())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.LATENTS, "k", image(id)));
            producer.commitTransaction();
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        EmbeddedKafka kafka = EmbeddedKafka.start(state);
        kafka.close();
        kafka.close();
        Ports.assertNothingListensOn(kafka.brokerPort());
    }

    private static ImageRecord image(String id) {
        return ImageRecord.newBuilder().setId(id).setSource("test").setEventTime(Instant.EPOCH).build();
    }

    private static KafkaProducer<String, ImageRecord> transactionalProducer(KafkaSettings settings) {
        Properties config = settings.clientProperties();
        config.setProperty("transactional.id", "embedded-kafka-test-" + System.nanoTime());
        config.setProperty("transaction.timeout.ms", "60000");
        return new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(ImageRecord.class));
    }

    private static List<String> readCommittedIds(KafkaSettings settings, int expected) {
        return readCommittedIds(settings, expected, Topics.IMAGES);
    }

    private static List<String> readCommittedIds(KafkaSettings settings, int expected, String topic) {
        Properties config = settings.clientProperties();
        config.setProperty("group.id", "embedded-kafka-test");
        config.setProperty("auto.offset.reset", "earliest");
        config.setProperty("isolation.level", "read_committed");
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<String, ImageRecord> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new AvroDeserializer<>(ImageRecord.class))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // Keep polling a little past the expected count so an aborted record would show up too.
            int emptyPollsAfterExpected = 0;
            while (System.nanoTime() < deadline && emptyPollsAfterExpected < 2) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, ImageRecord> record : records) {
                    ids.add(record.value().getId());
                }
                if (ids.size() >= expected && records.isEmpty()) {
                    emptyPollsAfterExpected++;
                }
            }
        }
        return ids;
    }
}
