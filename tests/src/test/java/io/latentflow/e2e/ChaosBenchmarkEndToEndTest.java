package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of {@code bench chaos}: 60 images in three chunks on a cluster with HA, the busy TaskManager and the
 * Kafka broker SIGKILLed in turn. Each fault is reported with its recovery, and every image ends once in the latents
 * topic and in the shard files.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ChaosBenchmarkEndToEndTest {

    @TempDir
    Path work;

    @Test
    void theBusyTaskManagerAndTheBrokerKilledWhileImagesAreEncodedLoseAndDuplicateNothing() throws Exception {
        Path images = E2eImages.copies(E2eImages.photos().subList(0, 30), work.resolve("photos"));
        LatentflowCli.Run run = LatentflowCli.run("bench", "chaos", "--images", images.toString(), "--copies", "2",
                "--chunk", "20", "--faults", "tm-kill,kafka-kill", "--taskmanagers", "1", "--state-dir",
                work.resolve("state").toString(), "--json");

        assertThat(run.exit()).as("bench chaos exit code; output: %s; progress: %s", run.out(), run.err()).isZero();
        JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out());
        assertThat(report.get("images").asInt()).isEqualTo(60);
        assertThat(report.get("faults")).extracting(fault -> fault.get("kind").asText())
                .containsExactly("tm-kill", "kafka-kill");
        assertThat(report.get("faults")).allSatisfy(fault ->
                assertThat(fault.get("recoverySeconds").asDouble()).isPositive());
        assertThat(report.get("check").get("latentsTopic").get("lost").asInt()).isZero();
        assertThat(report.get("check").get("shards").get("duplicated").asInt()).isZero();
        assertThat(report.get("exactlyOnce").asBoolean()).isTrue();
    }
}
