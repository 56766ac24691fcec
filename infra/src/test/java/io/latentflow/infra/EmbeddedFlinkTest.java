package io.latentflow.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedFlinkTest {

    @TempDir
    Path state;

    @Test
    void aJobSubmittedThroughRestRunsOnTheClusterWithAvroRecordsInsideItsFunctions() throws Exception {
        int restPort;
        try (EmbeddedFlink flink = EmbeddedFlink.start(state, 2)) {
            restPort = flink.restPort();
            assertThat(flink.restAddress()).isEqualTo("http://127.0.0.1:" + restPort);

            StreamExecutionEnvironment env = flink.environment();
            env.setParallelism(2);
            var ids = env.fromSequence(1, 50).map(new ThroughAvro()).name("through-avro").collectAsync();
            JobExecutionResult result = env.execute("embedded-flink-test");

            List<String> collected = new ArrayList<>();
            try (CloseableIterator<String> iterator = ids) {
                iterator.forEachRemaining(collected::add);
            }
            assertThat(collected).hasSize(50).contains("image-1", "image-50");
            assertThat(flink.miniCluster().getJobStatus(result.getJobID()).get(10, TimeUnit.SECONDS))
                    .isEqualTo(JobStatus.FINISHED);
        }
        Ports.assertNothingListensOn(restPort);
    }

    @Test
    void checkpointsLandUnderTheStateFolder() throws Exception {
        try (EmbeddedFlink flink = EmbeddedFlink.start(state, 1)) {
            StreamExecutionEnvironment env = flink.environment();
            env.enableCheckpointing(TimeUnit.HOURS.toMillis(1)); // only the checkpoint triggered below
            env.fromSequence(1, Long.MAX_VALUE).map(new Slowly()).sinkTo(new DiscardingSink<>());
            JobClient job = env.executeAsync("checkpoint-test");
            JobID jobId = job.getJobID();
            try {
                String checkpoint = triggerCheckpointWhenRunning(flink, jobId);
                assertThat(Path.of(URI.create(checkpoint))).startsWith(flink.checkpointDirectory());
                assertThat(flink.checkpointDirectory()).startsWith(state);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        EmbeddedFlink flink = EmbeddedFlink.start(state, 1);
        flink.close();
        flink.close();
        Ports.assertNothingListensOn(flink.restPort());
    }

    private static String triggerCheckpointWhenRunning(EmbeddedFlink flink, JobID jobId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                return flink.miniCluster().triggerCheckpoint(jobId).get(30, TimeUnit.SECONDS);
            } catch (Exception notAllTasksRunningYet) {
                last = notAllTasksRunningYet;
                Thread.sleep(200);
            }
        }
        throw new AssertionError("No checkpoint of job " + jobId + " within 60 s", last);
    }

    /** Encodes and decodes an Avro record inside a Flink function, as the real jobs do. */
    static final class ThroughAvro implements MapFunction<Long, String> {
        private final AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);

        @Override
        public String map(Long n) throws Exception {
            ImageRecord image = ImageRecord.newBuilder().setId("image-" + n).setSource("test")
                    .setEventTime(Instant.ofEpochMilli(n)).build();
            return codec.decode(codec.encode(image)).getId();
        }
    }

    static final class Slowly implements MapFunction<Long, Long> {
        @Override
        public Long map(Long n) throws Exception {
            Thread.sleep(5);
            return n;
        }
    }
}
