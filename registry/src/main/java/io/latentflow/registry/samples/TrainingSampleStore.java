package io.latentflow.registry.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.connections.S3Settings;
import io.latentflow.model.store.PlainNames;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the training samples back for a fine-tune: the samples of the windows in a time range, unpacked into a folder
 * of PNGs named after the images' own file names (so that tiles of one photo keep sharing a source when the trainer
 * splits by source), with the Kafka offsets they came from (the provenance a new version records).
 */
public final class TrainingSampleStore {

    private static final Pattern WINDOW = Pattern.compile("/part-(\\d+)-[^/]+\\.tar$");
    /** The source key and the image count of a shard named by {@link TrainingSampleLayout#key}. */
    private static final Pattern SOURCE_AND_COUNT = Pattern.compile("/part-\\d+-([A-Za-z0-9_-]+?)(?:_[0-9a-f]{8,})?"
            + "-n(\\d+)\\.tar$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(TrainingSampleStore.class);

    private final S3Settings s3;
    private final MinioClient storage;

    public TrainingSampleStore(S3Settings s3) {
        this.s3 = s3;
        this.storage = s3.newClient();
    }

    /**
     * What was unpacked.
     *
     * @param images  the PNG files written
     * @param offsets per topic-partition ("images-0"), the lowest and highest offset among the samples
     * @param shards  how many shards were read
     */
    public record Samples(List<Path> images, Map<String, long[]> offsets, int shards) {
    }

    /** Unpacks the samples of windows that start in [{@code from}, {@code to}) into {@code dir}. */
    public Samples download(Instant from, Instant to, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> images = new ArrayList<>();
        Map<String, long[]> offsets = new TreeMap<>();
        int shards = 0;
        for (String key : shardKeys(from, to)) {
            shards++;
            try (InputStream in = storage.getObject(GetObjectArgs.builder().bucket(s3.bucket()).object(key).build());
                 TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                Map<String, byte[]> pngs = new HashMap<>();
                Map<String, JsonNode> metadata = new HashMap<>();
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    String name = entry.getName();
                    if (name.endsWith(TrainingSampleLayout.IMAGE_SUFFIX)) {
                        pngs.put(stem(name, TrainingSampleLayout.IMAGE_SUFFIX), tar.readAllBytes());
                    } else if (name.endsWith(TrainingSampleLayout.METADATA_SUFFIX)) {
                        metadata.put(stem(name, TrainingSampleLayout.METADATA_SUFFIX), JSON.readTree(tar.readAllBytes()));
                    }
                }
                for (Map.Entry<String, byte[]> png : pngs.entrySet()) {
                    JsonNode sample = metadata.get(png.getKey());
                    if (sample == null) {
                        throw new IOException(s3.uri(key) + ": " + png.getKey() + " has no metadata");
                    }
                    Optional<String> name = fileName(sample.get("imageId").asText(), png.getKey());
                    if (name.isEmpty()) {
                        LOG.warn("{}: skipped sample member '{}': neither its image id nor its name is a plain file"
                                + " name", s3.uri(key), png.getKey());
                        continue;
                    }
                    Path file = PlainNames.resolve(dir, name.get(), "training sample");
                    if (Files.exists(file)) {
                        continue; // the same file name sent again: one copy is enough for training
                    }
                    Files.write(file, png.getValue());
                    images.add(file);
                    long offset = sample.get("offset").asLong();
                    offsets.merge(sample.get("topic").asText() + "-" + sample.get("partition").asInt(),
                            new long[] {offset, offset},
                            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                }
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("cannot read training samples " + s3.uri(key) + ": " + e.getMessage(), e);
            }
        }
        return new Samples(List.copyOf(images), offsets, shards);
    }

    /**
     * Samples available per source in the windows from {@code from} on, from the shard names alone (the readable part
     * of each source's key); shards written before their names carried a count are left out.
     */
    public Map<String, Integer> availableSince(Instant from) throws IOException {
        Map<String, Integer> perSource = new TreeMap<>();
        for (StoredShard shard : shards()) {
            Matcher named = SOURCE_AND_COUNT.matcher(shard.key());
            if (shard.windowStart() >= from.toEpochMilli() && named.find()) {
                perSource.merge(named.group(1), Integer.parseInt(named.group(2)), Integer::sum);
            }
        }
        return perSource;
    }

    /**
     * Deletes the oldest windows' shards while all of them together exceed {@code maxBytes}, never {@code keep} (the
     * shard just written). Idempotent: subtasks that prune at once delete the same oldest shards.
     */
    public void pruneTo(long maxBytes, String keep) throws IOException {
        List<StoredShard> shards = shards();
        long total = shards.stream().mapToLong(StoredShard::bytes).sum();
        for (StoredShard oldest : shards) {
            if (total <= maxBytes) {
                return;
            }
            if (oldest.key().equals(keep)) {
                continue;
            }
            try {
                storage.removeObject(RemoveObjectArgs.builder().bucket(s3.bucket()).object(oldest.key()).build());
            } catch (Exception e) {
                throw new IOException("cannot delete " + s3.uri(oldest.key()) + " to keep the training samples under "
                        + maxBytes + " bytes: " + e.getMessage(), e);
            }
            total -= oldest.bytes();
            LOG.info("Deleted training samples {} ({} bytes): the samples exceeded their cap of {} bytes",
                    s3.uri(oldest.key()), oldest.bytes(), maxBytes);
        }
    }

    private record StoredShard(String key, long windowStart, long bytes) {
    }

    /** Every sample shard, oldest window first. */
    private List<StoredShard> shards() throws IOException {
        List<StoredShard> shards = new ArrayList<>();
        try {
            for (Result<Item> result : storage.listObjects(ListObjectsArgs.builder().bucket(s3.bucket())
                    .prefix(TrainingSampleLayout.ROOT).recursive(true).build())) {
                Item item = result.get();
                Matcher window = WINDOW.matcher(item.objectName());
                if (window.find()) {
                    shards.add(new StoredShard(item.objectName(), Long.parseLong(window.group(1)), item.size()));
                }
            }
        } catch (Exception e) {
            throw new IOException("cannot list " + s3.uri(TrainingSampleLayout.ROOT) + ": " + e.getMessage(), e);
        }
        shards.sort(Comparator.comparingLong(StoredShard::windowStart).thenComparing(StoredShard::key));
        return shards;
    }

    /** The keys of the windows starting in [from, to), in window order: one listing, the same as {@link #shards()}. */
    private List<String> shardKeys(Instant from, Instant to) throws IOException {
        return shards().stream()
                .filter(shard -> shard.windowStart() >= from.toEpochMilli() && shard.windowStart() < to.toEpochMilli())
                .map(StoredShard::key)
                .toList();
    }

    /**
     * The image's own file name with a .png extension, else the sample's member name when the id has no plain file
     * name; empty when neither is a plain name (a member named "../x" from a tampered shard).
     */
    static Optional<String> fileName(String imageId, String sampleKey) {
        String name = imageId.substring(imageId.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return Stream.of(stem, sampleKey).filter(PlainNames::isPlain).findFirst().map(plain -> plain + ".png");
    }

    private static String stem(String member, String suffix) {
        return member.substring(0, member.length() - suffix.length());
    }
}
