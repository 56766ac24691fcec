package io.latentflow.registry.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedS3;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What status reads from the shard names, and the storage cap, against a real S3 server. */
class TrainingSampleStoreTest {

    private static final long T0 = Instant.parse("2026-12-06T10:00:00Z").toEpochMilli();

    @Test
    void samplesPerSourceSinceAnInstantComeFromTheShardNames() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            put(s3, TrainingSampleLayout.key(T0, "photos_0123456789ab", 40), 10);
            put(s3, TrainingSampleLayout.key(T0 + 60_000, "photos_0123456789ab", 12), 10);
            put(s3, TrainingSampleLayout.key(T0 + 60_000, "illustrations_ba9876543210", 7), 10);
            put(s3, TrainingSampleLayout.ROOT + "dt=2026-12-06/part-" + T0 + "-old_0123456789ab.tar", 10);

            TrainingSampleStore store = new TrainingSampleStore(s3.settings());

            assertThat(store.availableSince(Instant.ofEpochMilli(T0)))
                    .isEqualTo(Map.of("photos", 52, "illustrations", 7));
            assertThat(store.availableSince(Instant.ofEpochMilli(T0 + 1))).as("windows that start from then on")
                    .isEqualTo(Map.of("photos", 12, "illustrations", 7));
        }
    }

    @Test
    void overTheCapTheOldestWindowsGoFirstAndNeverTheShardJustWritten() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            List<String> keys = new ArrayList<>();
            for (int window = 0; window < 5; window++) {
                String key = TrainingSampleLayout.key(T0 + window * 60_000L, "photos_0123456789ab", 1);
                put(s3, key, 1000);
                keys.add(key);
            }
            TrainingSampleStore store = new TrainingSampleStore(s3.settings());

            store.pruneTo(3000, keys.get(4));
            assertThat(objects(s3)).containsExactlyInAnyOrderElementsOf(keys.subList(2, 5));

            store.pruneTo(500, keys.get(4));
            assertThat(objects(s3)).containsExactly(keys.get(4));
        }
    }

    private static void put(EmbeddedS3 s3, String key, int bytes) throws Exception {
        MinioClient client = s3.settings().newClient();
        client.putObject(PutObjectArgs.builder().bucket(s3.settings().bucket()).object(key)
                .stream(new ByteArrayInputStream(new byte[bytes]), bytes, -1).build());
    }

    private static List<String> objects(EmbeddedS3 s3) throws Exception {
        List<String> keys = new ArrayList<>();
        for (var item : s3.settings().newClient().listObjects(ListObjectsArgs.builder()
                .bucket(s3.settings().bucket()).prefix(TrainingSampleLayout.ROOT).recursive(true).build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }
}
