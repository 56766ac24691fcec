package io.latentflow.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster.json}: what it holds, read back as written, and what {@code cluster restart} does with it. */
class ClusterFileTest {

    private static final long GONE = Long.MAX_VALUE; // no process has this pid
    private static final long ALIVE = ProcessHandle.current().pid();

    @TempDir
    Path state;

    @Test
    void holdsEveryProcessWithItsAddressAndReadsBackAsWritten() throws Exception {
        ClusterFile cluster = new ClusterFile("http://127.0.0.1:8081", true, List.of(11L), List.of(12L, 13L),
                new ClusterFile.Kafka("127.0.0.1:9092", 14, 9093),
                new ClusterFile.S3("http://127.0.0.1:9000", 15, "latentflow", "/data/s3", "AK", "/data/secret"),
                new ClusterFile.ZooKeeper("127.0.0.1:2181", 16));
        Path file = ClusterFile.in(state);
        cluster.write(file);

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.get("jobmanagerPids").get(0).asLong()).isEqualTo(11);
        assertThat(json.get("kafka").get("bootstrap").asText()).isEqualTo("127.0.0.1:9092");
        assertThat(json.get("s3").get("dataDir").asText()).isEqualTo("/data/s3");
        assertThat(json.get("zookeeper").get("connect").asText()).isEqualTo("127.0.0.1:2181");
        assertThat(json.has("secretKey")).isFalse();
        assertThat(ClusterFile.read(file)).isEqualTo(cluster);
        assertThat(cluster.allPids()).as("Flink first, then the servers it uses").containsExactly(12L, 13L, 11L, 14L,
                15L, 16L);
    }

    @Test
    void aClusterOfFlinkAloneHasNoServersAndIsDeadWhenItsProcessesAre() throws Exception {
        Path file = ClusterFile.in(state);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"rest\":\"http://127.0.0.1:8081\",\"jobmanagerPids\":[" + GONE
                + "],\"taskmanagerPids\":[" + GONE + "]}");
        ClusterFile cluster = ClusterFile.read(file);
        assertThat(cluster.kafka()).isNull();
        assertThat(cluster.s3()).isNull();
        assertThat(cluster.allPids()).containsExactly(GONE, GONE);
        assertThat(cluster.anyAlive()).isFalse();
    }

    @Test
    void restartLeavesAPartThatStillRunsAloneAndRefusesOneTheClusterNeverHad() throws Exception {
        ClusterFile cluster = new ClusterFile("http://127.0.0.1:8081", false, List.of(ALIVE), List.of(ALIVE),
                new ClusterFile.Kafka("127.0.0.1:9092", ALIVE, 9093), null, null);
        ClusterServices services = new ClusterServices(state.resolve("cluster"), state);

        assertThat(services.restart(cluster, ClusterServices.Part.KAFKA)).isSameAs(cluster);
        assertThat(services.restart(cluster, ClusterServices.Part.JOBMANAGER)).isSameAs(cluster);
        assertThat(services.restart(cluster, ClusterServices.Part.TASKMANAGER)).isSameAs(cluster);
        assertThatThrownBy(() -> services.restart(cluster, ClusterServices.Part.S3))
                .hasMessageContaining("no s3 process to restart").hasMessageContaining("--with-s3");
        assertThatThrownBy(() -> services.restart(cluster, ClusterServices.Part.ZOOKEEPER))
                .hasMessageContaining("--ha");
    }
}
