package io.latentflow.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.registry.SigningKey;
import io.latentflow.registry.SigningKeys;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.registry.VersionSignature;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.UploadObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard of a service with trusted keys draws reconstructions only with versions one of them signed: an
 * unsigned version's latents are not decoded, and the reason is the service's.
 */
class ReconstructionModelsTrustedKeysTest {

    private static final String VERSION = "bounded-f8c8-0000000000bb";

    @TempDir
    Path work;

    @Test
    void anUnsignedVersionIsNotDecodedAndASignedOneIs() throws Exception {
        SigningKeys.Generated key = SigningKeys.generate(work.resolve("keys"));
        Path trustedDir = Files.createDirectories(work.resolve("trusted"));
        Files.copy(key.publicKey(), trustedDir.resolve(key.publicKey().getFileName()));
        TrustedKeys trusted = TrustedKeys.load(trustedDir);
        Path version = anotherVersion(ServingModel.extractDefault(work.resolve("shipped")), work.resolve(VERSION));
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            MinioClient client = s3.settings().newClient();
            for (Manifest.FileEntry file : ModelDirectory.verify(version).files()) {
                client.uploadObject(UploadObjectArgs.builder().bucket("latentflow").object("models/" + VERSION + "/"
                        + file.path()).filename(version.resolve(file.path()).toString()).build());
            }
            client.uploadObject(UploadObjectArgs.builder().bucket("latentflow").object("models/" + VERSION + "/"
                    + ModelDirectory.MANIFEST).filename(version.resolve(ModelDirectory.MANIFEST).toString()).build());

            try (ReconstructionModels unsigned = new ReconstructionModels(s3.settings(), trusted)) {
                assertThatThrownBy(() -> unsigned.decoder(VERSION)).isInstanceOf(IOException.class)
                        .hasMessageContaining("model version " + VERSION + " is unsigned");
            }

            byte[] signature = VersionSignature.sign(Files.readAllBytes(version.resolve(ModelDirectory.MANIFEST)),
                    SigningKey.read(key.privateKey()).key(), key.keyId()).toJson();
            client.putObject(PutObjectArgs.builder().bucket("latentflow").object("models/" + VERSION + "/"
                    + ModelDirectory.SIGNATURE).stream(new ByteArrayInputStream(signature), signature.length, -1)
                    .build());
            try (ReconstructionModels signed = new ReconstructionModels(s3.settings(), trusted)) {
                assertThat(signed.decoder(VERSION)).isNotNull();
            }
        }
    }

    /** The shipped weights under another version id (its metrics say so), with a manifest that matches. */
    private static Path anotherVersion(Path shipped, Path dir) throws Exception {
        String metrics = Files.readString(shipped.resolve(ModelDirectory.METRICS))
                .replace(ModelDirectory.verify(shipped).version(), VERSION);
        Map<String, ModelDirectory.FileContent> files = new LinkedHashMap<>();
        for (Manifest.FileEntry file : ModelDirectory.verify(shipped).files()) {
            files.put(file.path(), ModelDirectory.METRICS.equals(file.path())
                    ? target -> Files.writeString(target, metrics)
                    : target -> Files.copy(shipped.resolve(file.path()), target));
        }
        ModelDirectory.saveFiles(dir, VERSION, null, files);
        return dir;
    }
}
