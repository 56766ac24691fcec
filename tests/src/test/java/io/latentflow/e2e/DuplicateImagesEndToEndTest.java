package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.cli.Latentflow;
import io.latentflow.dashboard.Dashboard;
import io.latentflow.dashboard.DashboardSettings;
import io.latentflow.infra.LocalStack;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.EncodeSummary;
import io.latentflow.jobs.encode.FailOnce;
import io.latentflow.jobs.encode.OperatorFaults;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.RestartPolicy;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One latent per image, whatever the ingest side does: a watched folder sends a slowly written photo once, whole; a
 * restarted watcher sends nothing again; the same folder sent twice, and a duplicate that arrives after the job failed
 * over and restored its checkpoint, still end as one latent per image id, with the duplicates counted.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DuplicateImagesEndToEndTest {


    @TempDir
    Path work;

    @Test
    void aWatchedFolderSendsEachFileOnceWholeAcrossARestartAndTheSameFolderTwiceIsOneLatentPerImage()
            throws Exception {
        List<Path> photos = E2eImages.photos().subList(0, 3);
        Path inbox = Files.createDirectories(work.resolve("inbox"));
        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow")) {
            String kafka = stack.kafka().bootstrapServers();
            String[] watch = {"ingest", inbox.toString(), "--watch", "--settle", "1", "--kafka", kafka,
                    "--state-dir", work.resolve("client").toString(), "--json"};

            Watcher watcher = Watcher.start(watch);
            byte[] slow = Files.readAllBytes(photos.get(0));
            Path slowFile = inbox.resolve("slow.jpg");
            Files.write(slowFile, Arrays.copyOf(slow, slow.length / 2));
            Thread.sleep(2500); // a pause longer than the settle time, as a slow copy or an upload makes
            Files.write(slowFile, Arrays.copyOfRange(slow, slow.length / 2, slow.length), StandardOpenOption.APPEND);
            Path renamed = Files.copy(photos.get(1), inbox.resolve("renamed.jpg.part"));
            Files.move(renamed, inbox.resolve("renamed.jpg"));
            await().atMost(Duration.ofSeconds(60)).until(() -> images(kafka).size() >= 2);
            watcher.stop();

            Files.copy(photos.get(2), inbox.resolve("while-stopped.jpg"));
            Watcher restarted = Watcher.start(watch);
            await().atMost(Duration.ofSeconds(60)).until(() -> images(kafka).size() >= 3
                    && restarted.output().contains("\"skipped\":2"));
            restarted.stop();

            List<ImageRecord> sent = images(kafka);
            assertThat(sent).as("each file once, across the restart").hasSize(3);
            ImageRecord slowRecord = sent.stream().filter(r -> r.getId().startsWith("inbox/slow.jpg@")).findFirst()
                    .orElseThrow();
            assertThat(bytes(slowRecord.getInlineBytes())).as("the slow photo whole").isEqualTo(slow);
            assertThat(sent).extracting(ImageRecord::getId).containsExactlyInAnyOrder(
                    E2eImages.id("inbox", slowFile), E2eImages.id("inbox", inbox.resolve("renamed.jpg")),
                    E2eImages.id("inbox", inbox.resolve("while-stopped.jpg")));

            // the same folder again, on purpose
            assertThat(LatentflowCli.json("ingest", inbox.toString(), "--resend", "--kafka", kafka, "--state-dir",
                    work.resolve("client").toString(), "--json").get("sent").asInt()).isEqualTo(3);
            EncodeSummary summary = EncodeSummary.of(EncodeJob.onKafka(settings(stack).bounded(true).build())
                    .runToCompletion(stack.flink().environment()));

            assertThat(summary.duplicatesDropped()).isEqualTo(3);
            List<LatentRecord> latents = latents(kafka);
            assertThat(latents).extracting(LatentRecord::getImageId)
                    .containsExactlyInAnyOrderElementsOf(sent.stream().map(ImageRecord::getId).toList());
            assertThat(latentsInShardsByImageId(work.resolve("state/s3/latentflow/latents")))
                    .as("shard samples per image id").hasSize(3).containsOnlyKeys(
                            sent.stream().map(ImageRecord::getId).toList()).allSatisfy((id, n) -> assertThat(n).isOne());
        }
    }

    @Test
    void aDuplicateThatArrivesAfterAFailoverIsStillDroppedAndCounted() throws Exception {
        List<Path> photos = E2eImages.photos();
        Path folder = E2eImages.copies(photos.subList(0, 8), work.resolve("photos"));
        Path extra = E2eImages.copies(photos.subList(8, 10), work.resolve("extra"));
        // throws on the first duplicate: the job restores the checkpoint that holds the first eight ids
        FailOnce failure = FailOnce.once(OperatorFaults.Stage.DECODE, 9);
        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow")) {
            String kafka = stack.kafka().bootstrapServers();
            EncodeJobSettings settings = settings(stack).faults(failure)
                    .restartPolicy(RestartPolicy.fixedDelay(3, Duration.ofMillis(200))).build();
            JobClient job = EncodeJob.onKafka(settings).start(stack.flink().environment());
            try {
                send(stack, List.of(folder));
                E2eImages.awaitLatents(kafka, 8);
                send(stack, List.of(folder, extra));
                E2eImages.awaitLatents(kafka, 10);
                awaitConsumed(kafka, settings.consumerGroup());

                assertThat(failure.hasFired()).as("the job failed over").isTrue();
                List<String> expected = Stream.concat(photos.subList(0, 8).stream().map(p -> E2eImages.id("photos", p)),
                        photos.subList(8, 10).stream().map(p -> E2eImages.id("extra", p))).toList();
                assertThat(latents(kafka)).extracting(LatentRecord::getImageId)
                        .containsExactlyInAnyOrderElementsOf(expected);

                Path client = writeServiceFile(stack, job, settings);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> LatentflowCli
                        .json("status", "--state-dir", client.toString(), "--json").path("duplicatesDropped")
                        .asLong(-1) == 8);
                try (Dashboard dashboard = Dashboard.start(DashboardSettings.of(stack.kafka().settings(), null, 0)
                        .withFlinkRest(stack.flink().restAddress()))) {
                    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            dashboard.url().resolve("/api/status")).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(new ObjectMapper().readTree(page.body()).path("duplicatesDropped").asLong(-1))
                            .as("the dashboard's figure").isEqualTo(8);
                }
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    private static EncodeJobSettings.Builder settings(LocalStack stack) {
        return EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                .model(ModelLocation.DEFAULT).resolution(64).batchSize(4)
                .checkpointInterval(Duration.ofMillis(300)).maxShardAge(Duration.ZERO)
                .restartPolicy(RestartPolicy.none());
    }

    private static void send(LocalStack stack, List<Path> folders) {
        try (ImageIngest ingest = new ImageIngest(stack.kafka().settings(), Topics.IMAGES,
                stack.s3().settings(), ImageIngest.Limits.DEFAULTS)) {
            assertThat(ingest.send(folders, null, Instant.now(), Duration.ofMillis(100)).failed()).isEmpty();
        }
    }

    /** Until the job's consumer group has committed (on a completed checkpoint) every image on the topic. */
    private static void awaitConsumed(String kafka, String group) {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<TopicPartition, Long> ends;
            try (CommittedTopicReader reader = new CommittedTopicReader(kafka)) {
                ends = reader.endOffsets(Topics.IMAGES);
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                return ends.entrySet().stream().allMatch(end -> end.getValue() == 0 || (committed.get(end.getKey())
                        != null && committed.get(end.getKey()).offset() >= end.getValue()));
            }
        });
    }

    /** What {@code run} writes for {@code status} to find the service, for the job this test started. */
    private Path writeServiceFile(LocalStack stack, JobClient job, EncodeJobSettings settings) throws Exception {
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("kafka", stack.kafka().bootstrapServers());
        service.put("flinkRest", stack.flink().restAddress());
        service.put("jobId", job.getJobID().toString());
        service.put("servingVersion", "default");
        service.put("consumerGroup", settings.consumerGroup());
        service.put("pid", ProcessHandle.current().pid()); // the job runs in this JVM: status must see it alive
        Path client = Files.createDirectories(work.resolve("service-state"));
        Files.writeString(client.resolve("service.json"), new ObjectMapper().writeValueAsString(service));
        return client;
    }

    private static List<ImageRecord> images(String kafka) {
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka)) {
            return reader.readFrom(Topics.IMAGES, Map.of(), AvroCodec.of(ImageRecord.class));
        }
    }

    private static List<LatentRecord> latents(String kafka) {
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka)) {
            return reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class));
        }
    }

    /** Latent samples in the committed shards, counted by the image id their metadata names. */
    private static Map<String, Integer> latentsInShardsByImageId(Path root) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path shard : files.filter(f -> f.toString().endsWith(".tar")).toList()) {
                for (Map.Entry<String, byte[]> member : ShardReader.members(Files.readAllBytes(shard)).entrySet()) {
                    if (member.getKey().endsWith(".json")) {
                        counts.merge(json.readTree(member.getValue()).get("imageId").asText(), 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** {@code latentflow ingest --watch} on a thread of its own, as a user runs it in a terminal. */
    private record Watcher(Thread thread, StringWriter out) {

        static Watcher start(String... args) {
            StringWriter out = new StringWriter();
            Thread thread = new Thread(() -> {
                var cli = Latentflow.commandLine();
                cli.setOut(new PrintWriter(out, true));
                cli.setErr(new PrintWriter(new StringWriter(), true));
                cli.execute(args);
            }, "ingest-watch");
            thread.start();
            return new Watcher(thread, out);
        }

        String output() {
            synchronized (out) {
                return out.toString();
            }
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(30_000);
            assertThat(thread.isAlive()).as("the watcher stopped").isFalse();
        }
    }
}
