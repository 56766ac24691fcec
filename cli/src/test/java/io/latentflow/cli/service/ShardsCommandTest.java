package io.latentflow.cli.service;

import io.latentflow.cli.Latentflow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.SourceOffsetRange;
import io.latentflow.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardsCommandTest {

    private static final Instant NOW = Instant.now();

    @TempDir
    static Path work;

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void announceThreeShards() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        kafka.createTopics(2, Topics.SHARDS);
        AvroCodec<ShardCommitted> codec = AvroCodec.of(ShardCommitted.class);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ShardCommitted shard : List.of(shard("model-a", 0, NOW.minusSeconds(7200)),
                    shard("model-b", 1, NOW.minusSeconds(60)), shard("model-a", 2, NOW.minusSeconds(30)))) {
                producer.send(new ProducerRecord<>(Topics.SHARDS, shard.getModelVersion(), codec.encode(shard))).get();
            }
        }
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    private static ShardCommitted shard(String model, int sequence, Instant committed) {
        return ShardCommitted.newBuilder()
                .setShardUri("s3://latentflow/latents/model=" + model + "/dt=2026-12-06/part-0-00000" + sequence
                        + ".tar")
                .setModelVersion(model).setLatentSpace("sha256:ab").setMembers(2)
                .setImageIds(List.of("img-" + sequence + "a", "img-" + sequence + "b")).setImageIdsComplete(true)
                .setBytes(6144).setSha256("0".repeat(64))
                .setMinEventTime(committed.minusSeconds(5)).setMaxEventTime(committed.minusSeconds(4))
                .setSourceRanges(List.of(new SourceOffsetRange(Topics.IMAGES, 1, 10L * sequence,
                        10L * sequence + 1)))
                .setCheckpointId(sequence + 1).setCommitTime(committed).build();
    }

    private static String run(String... options) {
        List<String> args = new ArrayList<>(List.of("shards", "list", "--kafka", kafka.bootstrapServers()));
        args.addAll(List.of(options));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        assertThat(exit).as("stderr: %s", err).isZero();
        return out.toString();
    }

    @Test
    void listsTheShardsOfOneModelCommittedSinceATimeOldestFirst() throws Exception {
        JsonNode rows = new ObjectMapper().readTree(run("--model", "model-a", "--since", "PT10M", "--json"));

        assertThat(rows).hasSize(1);
        JsonNode shard = rows.get(0);
        assertThat(shard.get("shardUri").asText()).endsWith("model=model-a/dt=2026-12-06/part-0-000002.tar");
        assertThat(shard.get("members").asInt()).isEqualTo(2);
        assertThat(shard.get("imageIds").get(1).asText()).isEqualTo("img-2b");
        assertThat(shard.at("/sourceRanges/0/firstOffset").asLong()).isEqualTo(20);
    }

    @Test
    void withoutFiltersItListsEveryShardInCommitOrder() {
        String table = run();

        assertThat(table.lines().toList()).hasSize(4);
        assertThat(table.lines().skip(1).map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList())
                .containsExactly(
                        "s3://latentflow/latents/model=model-a/dt=2026-12-06/part-0-000000.tar",
                        "s3://latentflow/latents/model=model-b/dt=2026-12-06/part-0-000001.tar",
                        "s3://latentflow/latents/model=model-a/dt=2026-12-06/part-0-000002.tar");
    }

    @Test
    void aSinceThatIsNeitherAnInstantNorADurationIsRefusedWithWhatToGive() {
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("shards", "list", "--kafka", kafka.bootstrapServers(), "--since", "yesterday");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--since yesterday").contains("PT1H");
    }
}
