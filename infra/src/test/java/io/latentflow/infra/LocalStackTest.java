package io.latentflow.infra;

import io.latentflow.connections.KafkaSettings;
import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.Topics;
import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackTest {

    private static final String BUCKET = "latentflow";

    @TempDir
    Path state;

    @Test
    void allThreeComponentsServeFromOneStateFolderAndStopCleanly() throws Exception {
        List<Integer> ports = new ArrayList<>();
        try (LocalStack stack = LocalStack.start(state, BUCKET)) {
            ports.add(stack.kafka().brokerPort());
            ports.add(stack.kafka().controllerPort());
            ports.add(stack.s3().port());
            ports.add(stack.flink().restPort());

            assertThat(partitionsByTopic(stack.kafka().settings())).containsAllEntriesOf(Map.of(
                    Topics.IMAGES, LocalStack.TOPIC_PARTITIONS,
                    Topics.LATENTS, LocalStack.TOPIC_PARTITIONS,
                    Topics.SHARDS, LocalStack.TOPIC_PARTITIONS,
                    Topics.DEAD_LETTERS, LocalStack.TOPIC_PARTITIONS));

            MinioClient s3 = stack.s3().settings().newClient();
            assertThat(s3.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())).isTrue();
            EmbeddedS3Test.put(s3, "samples/hello.txt", "hello");

            var env = stack.flink().environment();
            List<Long> doubled = new ArrayList<>();
            try (CloseableIterator<Long> result = env.fromSequence(1, 3).map(n -> n * 2).returns(Long.class)
                    .executeAndCollect()) {
                result.forEachRemaining(doubled::add);
            }
            assertThat(doubled).containsExactlyInAnyOrder(2L, 4L, 6L);
        }
        ports.forEach(Ports::assertNothingListensOn);

        assertThat(state.resolve("kafka")).isDirectory();
        assertThat(state.resolve("s3").resolve(BUCKET).resolve("samples/hello.txt")).hasContent("hello");
        assertThat(state.resolve("flink")).isDirectory();

        try (LocalStack again = LocalStack.start(state, BUCKET)) {
            assertThat(partitionsByTopic(again.kafka().settings())).containsKeys(Topics.IMAGES, Topics.LATENTS);
            assertThat(EmbeddedS3Test.get(again.s3().settings().newClient(), "samples/hello.txt")).isEqualTo("hello");
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        LocalStack stack = LocalStack.start(state, BUCKET);
        stack.close();
        stack.close();
        Ports.assertNothingListensOn(stack.kafka().brokerPort());
    }

    private static Map<String, Integer> partitionsByTopic(KafkaSettings kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            var names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                    .collect(Collectors.toMap(TopicDescription::name, topic -> topic.partitions().size()));
        }
    }
}
