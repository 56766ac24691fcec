package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.cli.Latentflow;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.registry.SigningKey;
import io.latentflow.registry.SigningKeys;
import io.latentflow.registry.VersionSignature;
import io.latentflow.shards.Npy;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.UploadObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code decode --trusted-keys}: a published version decodes only once a trusted key has signed it; unsigned, it is
 * refused with the reason the service gives, and so is an unsigned directory, before any PNG is written.
 */
class DecodeTrustedKeysTest {

    private static final int LATENT_SIDE = 4;

    @TempDir
    Path dir;

    @Test
    void aVersionDecodesOnlyOnceATrustedKeySignedIt() throws Exception {
        SigningKeys.Generated key = SigningKeys.generate(dir.resolve("keys"));
        Path trusted = Files.createDirectories(dir.resolve("trusted"));
        Files.copy(key.publicKey(), trusted.resolve(key.publicKey().getFileName()));
        Path version = ServingModel.extractDefault(dir.resolve("model"));
        Manifest manifest = ModelDirectory.verify(version);
        String name = manifest.version();
        Path npy = dir.resolve("generated.npy");
        try (ServingModel model = ServingModel.load(version)) {
            int channels = model.config().latentChannels();
            Files.write(npy, Npy.float16(new float[channels * LATENT_SIDE * LATENT_SIDE], channels, LATENT_SIDE,
                    LATENT_SIDE));
        }
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            MinioClient client = s3.settings().newClient();
            for (Manifest.FileEntry file : manifest.files()) {
                upload(client, version.resolve(file.path()), "models/" + name + "/" + file.path());
            }
            upload(client, version.resolve(ModelDirectory.MANIFEST), "models/" + name + "/" + ModelDirectory.MANIFEST);
            Path secret = Files.writeString(dir.resolve("secret"), s3.settings().secretKey());
            String[] storage = {"--trusted-keys", trusted.toString(), "--s3-endpoint", s3.endpoint(),
                    "--s3-access-key", s3.settings().accessKey(), "--s3-secret-key-file", secret.toString()};

            StringWriter published = new StringWriter();
            assertThat(decode(published, name, npy, storage)).isEqualTo(1);
            assertThat(published.toString()).contains("model version " + name + " is unsigned");
            StringWriter local = new StringWriter();
            assertThat(decode(local, version.toString(), npy, storage)).isEqualTo(1);
            assertThat(local.toString()).contains("model version " + name + " is unsigned");
            assertThat(dir.resolve("png")).doesNotExist();

            byte[] signature = VersionSignature.sign(Files.readAllBytes(version.resolve(ModelDirectory.MANIFEST)),
                    SigningKey.read(key.privateKey()).key(), key.keyId()).toJson();
            client.putObject(PutObjectArgs.builder().bucket("latentflow").object("models/" + name + "/"
                    + ModelDirectory.SIGNATURE).stream(new ByteArrayInputStream(signature), signature.length, -1)
                    .build());
            StringWriter signed = new StringWriter();
            assertThat(decode(signed, name, npy, storage)).as(signed.toString()).isZero();
            assertThat(dir.resolve("png").resolve("generated.png")).isRegularFile();
        }
    }

    private int decode(StringWriter stderr, String model, Path npy, String... options) {
        String[] args = new String[options.length + 6];
        System.arraycopy(new String[] {"decode", "--model", model, npy.toString(), "--out",
                dir.resolve("png").toString()}, 0, args, 0, 6);
        System.arraycopy(options, 0, args, 6, options.length);
        return Latentflow.commandLine().setErr(new PrintWriter(stderr)).setOut(new PrintWriter(new StringWriter()))
                .execute(args);
    }

    private static void upload(MinioClient client, Path file, String key) throws Exception {
        client.uploadObject(UploadObjectArgs.builder().bucket("latentflow").object(key).filename(file.toString())
                .build());
    }
}
