package io.latentflow.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions in real object storage, downloaded for serving by a service that trusts one key: only a manifest signed by
 * that key, byte for byte, serves, and whoever can write the bucket cannot make it serve their weights.
 */
class SignedVersionsTest {

    private static final String VERSION = "bounded-f8c8-00000000005e";

    @TempDir
    Path work;

    private Path version;
    private SigningKey trustedSigner;
    private TrustedKeys trusted;

    @BeforeEach
    void versionAndKeys() throws Exception {
        version = VersionDirectories.anotherVersion(VersionDirectories.copyOfShipped(work.resolve("shipped")),
                work.resolve("version"), VERSION);
        SigningKeys.Generated generated = SigningKeys.generate(work.resolve("keys"));
        trustedSigner = SigningKey.read(generated.privateKey());
        Path trustedDir = Files.createDirectories(work.resolve("trusted"));
        Files.copy(generated.publicKey(), trustedDir.resolve(generated.publicKey().getFileName()));
        trusted = TrustedKeys.load(trustedDir);
    }

    @Test
    void aVersionSignedByATrustedKeyServes() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            ModelStore store = new ModelStore(s3.settings());
            publish(store, trustedSigner);

            Path served = store.download(VERSION, work.resolve("served"), trusted);
            assertThat(ModelDirectory.verify(served).version()).isEqualTo(VERSION);
            assertThat(trusted.describe()).isEqualTo("trusted keys: 1");
        }
    }

    @Test
    void anUnsignedVersionIsRefusedOnlyWhereKeysAreTrusted() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            ModelStore store = new ModelStore(s3.settings());
            store.upload(version, ModelDirectory.verify(version), Optional.empty());

            assertThatThrownBy(() -> store.download(VERSION, work.resolve("served"), trusted))
                    .isInstanceOf(TrustedKeys.UntrustedVersionException.class).hasMessageContaining("is unsigned");
            assertThat(ModelDirectory.verify(store.download(VERSION, work.resolve("unchecked"))).version())
                    .as("without trusted keys a version serves as before").isEqualTo(VERSION);
            assertThat(TrustedKeys.NOT_CHECKED.describe()).isEqualTo("not checked");
        }
    }

    @Test
    void aSignatureByAnUntrustedKeyIsRefused() throws Exception {
        SigningKey stranger = SigningKey.read(SigningKeys.generate(work.resolve("stranger")).privateKey());
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            ModelStore store = new ModelStore(s3.settings());
            publish(store, stranger);

            assertThatThrownBy(() -> store.download(VERSION, work.resolve("served"), trusted))
                    .isInstanceOf(TrustedKeys.UntrustedVersionException.class)
                    .hasMessageContaining("signed by key " + stranger.keyId())
                    .hasMessageContaining("not among the trusted keys");
        }
    }

    @Test
    void aManifestEditedAfterSigningIsRefused() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            ModelStore store = new ModelStore(s3.settings());
            publish(store, trustedSigner);
            // the same files, the same sums: one byte of the manifest's text differs from what was signed
            byte[] edited = (Files.readString(version.resolve(ModelDirectory.MANIFEST)) + " ")
                    .getBytes(StandardCharsets.UTF_8);
            s3.settings().newClient().putObject(PutObjectArgs.builder().bucket(s3.settings().bucket())
                    .object(ModelStore.key(VERSION, ModelDirectory.MANIFEST))
                    .stream(new ByteArrayInputStream(edited), edited.length, -1).build());

            assertThatThrownBy(() -> store.download(VERSION, work.resolve("served"), trusted))
                    .isInstanceOf(TrustedKeys.UntrustedVersionException.class)
                    .hasMessageContaining("bad signature");
        }
    }

    @Test
    void weightsAndManifestReplacedTogetherUnderTheOldSignatureAreRefused() throws Exception {
        Path forged = VersionDirectories.anotherVersion(version, work.resolve("forged"), VERSION);
        byte[] decoder = Files.readAllBytes(forged.resolve(ModelDirectory.DECODER_PARAMS));
        decoder[decoder.length / 2] ^= 1;
        Files.write(forged.resolve(ModelDirectory.DECODER_PARAMS), decoder);
        rehash(forged);
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            ModelStore store = new ModelStore(s3.settings());
            publish(store, trustedSigner);
            store.upload(forged, ModelDirectory.verify(forged), Optional.empty()); // the signature stays the old one

            assertThat(ModelDirectory.verify(store.download(VERSION, work.resolve("unchecked"))).version())
                    .as("the files match the forged manifest: only the signature tells").isEqualTo(VERSION);
            assertThatThrownBy(() -> store.download(VERSION, work.resolve("served"), trusted))
                    .isInstanceOf(TrustedKeys.UntrustedVersionException.class)
                    .hasMessageContaining("bad signature");
        }
    }

    @Test
    void keygenWritesThePrivateKeyForItsOwnerOnlyAndNamesBothFilesByKeyId() throws Exception {
        SigningKeys.Generated generated = SigningKeys.generate(work.resolve("new-keys"));

        assertThat(Files.getPosixFilePermissions(generated.privateKey()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(generated.privateKey().getFileName().toString()).isEqualTo(generated.keyId() + ".key");
        assertThat(generated.publicKey().getFileName().toString()).isEqualTo(generated.keyId() + ".pub");
        assertThat(Files.readString(generated.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(generated.publicKey())).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(SigningKeys.keyId(SigningKeys.readPublic(generated.publicKey()))).isEqualTo(generated.keyId());
        Path other = SigningKeys.generate(work.resolve("other-keys")).privateKey();
        Files.copy(other, generated.privateKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> SigningKey.read(generated.privateKey())).as("another key under this one's name")
                .hasMessageContaining("are not one key pair");
        assertThatThrownBy(() -> TrustedKeys.load(Files.createDirectories(work.resolve("empty"))))
                .hasMessageContaining("holds no public key");
    }

    private void publish(ModelStore store, SigningKey signer) throws Exception {
        store.upload(version, ModelDirectory.verify(version),
                Optional.of(signer.sign(version.resolve(ModelDirectory.MANIFEST))));
    }

    /** A manifest that matches the directory's files as they are now, under the same version. */
    private static void rehash(Path dir) throws Exception {
        Manifest old = Manifest.fromJson(Files.readString(dir.resolve(ModelDirectory.MANIFEST)));
        var files = old.files().stream().map(file -> {
            Path path = dir.resolve(file.path());
            try {
                return new Manifest.FileEntry(file.path(), Files.size(path), ModelDirectory.sha256(path));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        Files.writeString(dir.resolve(ModelDirectory.MANIFEST), new Manifest(old.formatVersion(), old.version(), files)
                .toJson());
    }
}
