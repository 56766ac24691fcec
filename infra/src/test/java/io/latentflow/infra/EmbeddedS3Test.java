package io.latentflow.infra;

import io.latentflow.connections.S3Settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedS3Test {

    private static final String BUCKET = "latentflow";

    @TempDir
    Path state;

    @Test
    void objectsArePutReadAndListedThroughTheS3Api() throws Exception {
        int port;
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, BUCKET)) {
            port = s3.port();
            MinioClient client = s3.settings().newClient();

            put(client, "latents/model=v1/dt=2024-05-01/part-0-0.tar", "first shard");
            put(client, "latents/model=v1/dt=2024-05-01/part-1-0.tar", "second shard");
            put(client, "models/v1/config.json", "{}");

            assertThat(get(client, "latents/model=v1/dt=2024-05-01/part-1-0.tar")).isEqualTo("second shard");
            assertThat(list(client, "latents/")).containsExactly(
                    "latents/model=v1/dt=2024-05-01/part-0-0.tar", "latents/model=v1/dt=2024-05-01/part-1-0.tar");
            assertThat(s3.settings().uri("models/v1/config.json")).isEqualTo("s3://latentflow/models/v1/config.json");
        }
        Ports.assertNothingListensOn(port);
    }

    @Test
    void aLargeObjectGoesUpInPartsAndComesBackWhole() throws Exception {
        byte[] large = new byte[12 * 1024 * 1024];
        new Random(7).nextBytes(large);
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, BUCKET)) {
            MinioClient client = s3.settings().newClient();
            client.putObject(PutObjectArgs.builder().bucket(BUCKET).object("big.bin")
                    .stream(new ByteArrayInputStream(large), -1, 5 * 1024 * 1024).build());

            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(BUCKET).object("big.bin").build())) {
                assertThat(in.readAllBytes()).isEqualTo(large);
            }
        }
    }

    @Test
    void aWrongSecretIsRefused() {
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, BUCKET)) {
            S3Settings right = s3.settings();
            S3Settings wrong = new S3Settings(right.endpoint(), right.accessKey(), right.secretKey() + "x",
                    right.region(), right.bucket());

            assertThatThrownBy(() -> put(wrong.newClient(), "intruder.txt", "nope"))
                    .isInstanceOfSatisfying(ErrorResponseException.class,
                            refused -> assertThat(refused.errorResponse().code()).isEqualTo("SignatureDoesNotMatch"));
            assertThat(list(right.newClient(), "")).isEmpty();
        }
    }

    @Test
    void onDiskObjectsSurviveARestartAndDeletedOnesLeaveNoPhantomEntry() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(state, BUCKET)) {
            MinioClient client = s3.settings().newClient();
            put(client, "latents/a/keep.tar", "kept");
            put(client, "latents/b/gone.tar", "deleted");
            client.removeObject(RemoveObjectArgs.builder().bucket(BUCKET).object("latents/b/gone.tar").build());

            assertThat(list(client, "latents/")).containsExactly("latents/a/keep.tar");
            assertThat(listTopLevel(client, "latents/")).containsExactly("latents/a/");
        }
        assertThat(Files.readString(state.resolve("s3").resolve(BUCKET).resolve("latents/a/keep.tar"))).isEqualTo("kept");

        try (EmbeddedS3 s3 = EmbeddedS3.start(state, BUCKET)) {
            MinioClient client = s3.settings().newClient();
            assertThat(get(client, "latents/a/keep.tar")).isEqualTo("kept");
            assertThat(list(client, "")).containsExactly("latents/a/keep.tar");
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        EmbeddedS3 s3 = EmbeddedS3.start(null, BUCKET);
        s3.close();
        s3.close();
        Ports.assertNothingListensOn(s3.port());
    }

    static void put(MinioClient client, String key, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.putObject(PutObjectArgs.builder().bucket(BUCKET).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
        assertThat(client.statObject(StatObjectArgs.builder().bucket(BUCKET).object(key).build()).size())
                .isEqualTo(bytes.length);
    }

    static String get(MinioClient client, String key) throws Exception {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(BUCKET).object(key).build())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static List<String> list(MinioClient client, String prefix) {
        return names(client.listObjects(ListObjectsArgs.builder().bucket(BUCKET).prefix(prefix).recursive(true).build()));
    }

    private static List<String> listTopLevel(MinioClient client, String prefix) {
        return names(client.listObjects(ListObjectsArgs.builder().bucket(BUCKET).prefix(prefix).build()));
    }

    private static List<String> names(Iterable<Result<Item>> results) {
        List<String> names = new ArrayList<>();
        for (Result<Item> result : results) {
            try {
                names.add(result.get().objectName());
            } catch (Exception e) {
                throw new AssertionError("Listing failed", e);
            }
        }
        return names;
    }
}
