package io.latentflow.cli.bench.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import io.latentflow.shards.ShardSamples;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The exactly-once checker of a fault run: every image that was ingested, looked for in the two places a committed
 * latent is, the committed {@code latents} topic (read_committed) and the committed shard files of the S3 server's
 * folder, each counted apart, since the two-phase shard commit and the Kafka transaction can fail apart.
 *
 * @param latents       the images in the committed latents topic
 * @param shards        the images in the shard files under the bucket's {@code latents/}
 * @param deadLettered  records on the dead-letter topic
 */
public record ExactlyOnceCheck(int expected, Tally latents, Tally shards, long deadLettered) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where one place differs from the images ingested.
     *
     * @param lost       ingested, not there
     * @param duplicated there more than once: how many times
     * @param unexpected there, never ingested
     */
    public record Tally(List<String> lost, Map<String, Integer> duplicated, List<String> unexpected) {

        /** Every image there once, nothing else. */
        public boolean exact() {
            return lost.isEmpty() && duplicated.isEmpty() && unexpected.isEmpty();
        }

        /** Counts, and the first few ids of each kind: a run of thousands prints a line, not a list. */
        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("lost", lost.size());
            json.put("duplicated", duplicated.size());
            json.put("unexpected", unexpected.size());
            json.put("lostExamples", lost.stream().limit(5).toList());
            json.put("duplicatedExamples", duplicated.keySet().stream().limit(5).toList());
            return json;
        }
    }

    /** Reads the committed topic from {@code kafkaBootstrap} and the shard files under {@code bucketFolder}. */
    public static ExactlyOnceCheck of(String kafkaBootstrap, Path bucketFolder, Collection<String> expectedIds)
            throws IOException {
        List<String> committed;
        long deadLettered;
        try (CommittedTopicReader reader = new CommittedTopicReader(kafkaBootstrap)) {
            committed = reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class)).stream()
                    .map(LatentRecord::getImageId).toList();
            deadLettered = reader.readFrom(Topics.DEAD_LETTERS, Map.of(), AvroCodec.of(DeadLetter.class)).size();
        }
        return new ExactlyOnceCheck(expectedIds.size(), tally(expectedIds, committed),
                tally(expectedIds, shardImageIds(bucketFolder)), deadLettered);
    }

    /** Every image in the latents topic and in the shards exactly once, and none dead-lettered. */
    public boolean passed() {
        return latents.exact() && shards.exact() && deadLettered == 0;
    }

    /**
     * No image lost or duplicated in either place: what a fault run exits 1 on. Dead letters are reported beside it,
     * since an image the service rejects is not one the faults lost.
     */
    public boolean noneLostOrDuplicated() {
        return latents.lost().isEmpty() && latents.duplicated().isEmpty() && shards.lost().isEmpty()
                && shards.duplicated().isEmpty();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("expected", expected);
        json.put("latentsTopic", latents.toJson());
        json.put("shards", shards.toJson());
        json.put("deadLettered", deadLettered);
        json.put("passed", passed());
        return json;
    }

    static Tally tally(Collection<String> expected, List<String> found) {
        Map<String, Integer> counts = new TreeMap<>();
        found.forEach(id -> counts.merge(id, 1, Integer::sum));
        Set<String> wanted = new LinkedHashSet<>(expected);
        List<String> lost = wanted.stream().filter(id -> !counts.containsKey(id)).toList();
        Map<String, Integer> duplicated = new TreeMap<>();
        counts.forEach((id, count) -> {
            if (count > 1) {
                duplicated.put(id, count);
            }
        });
        List<String> unexpected = counts.keySet().stream().filter(id -> !wanted.contains(id)).toList();
        return new Tally(lost, duplicated, unexpected);
    }

    /** The image id of every sample of every committed shard file ({@code latents/**.tar}) under the bucket's folder. */
    static List<String> shardImageIds(Path bucketFolder) throws IOException {
        Path latents = bucketFolder.resolve("latents");
        if (!Files.isDirectory(latents)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (Stream<Path> files = Files.walk(latents)) {
            for (Path shard : files.filter(file -> file.toString().endsWith(".tar")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(shard)) {
                    for (ShardSamples.Sample sample : ShardSamples.read(in, shard.toString())) {
                        ids.add(JSON.readTree(sample.metadataJson()).get("imageId").asText());
                    }
                }
            }
        }
        return ids;
    }
}
