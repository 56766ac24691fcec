package io.latentflow.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.SigningKey;
import io.latentflow.registry.SigningKeys;
import io.latentflow.registry.TrustedKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The models {@code replay --trusted-keys} compares: a published version or a directory is used only when a trusted
 * key signed it, with the reason the service gives otherwise; an unsigned copy downloaded before without the keys is
 * not used from the cache either.
 */
class ReplayModelsTrustedKeysTest {

    private static final String UNSIGNED = "bounded-f8c8-0000000000aa";

    @TempDir
    Path work;

    @Test
    void onlyVersionsAndDirectoriesATrustedKeySignedAreReplayed() throws Exception {
        SigningKeys.Generated key = SigningKeys.generate(work.resolve("keys"));
        Path trustedDir = Files.createDirectories(work.resolve("trusted"));
        Files.copy(key.publicKey(), trustedDir.resolve(key.publicKey().getFileName()));
        TrustedKeys trusted = TrustedKeys.load(trustedDir);
        Path stateDir = work.resolve("state");
        Path signedDir = ServingModel.extractDefault(work.resolve("signed"));
        Path unsignedDir = ServingModel.extractDefault(work.resolve("unsigned"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {
            String signed = registry.publish(signedDir, Map.of(), Optional.of(SigningKey.read(key.privateKey())));
            registry.publish(anotherVersion(signedDir, work.resolve(UNSIGNED), UNSIGNED));
            assertThat(ReplayModels.resolve(List.of(UNSIGNED), kafka.settings(), s3.settings(), stateDir,
                    TrustedKeys.NOT_CHECKED)).as("without keys, as before").hasSize(1);

            List<ModelLocation> replayed = ReplayModels.resolve(List.of(signed, signedDir.toString()),
                    kafka.settings(), s3.settings(), stateDir, trusted);

            assertThat(replayed).extracting(location -> ModelDirectory.verify(Path.of(location.location())).version())
                    .containsExactly(signed, signed);
            assertThatThrownBy(() -> ReplayModels.resolve(List.of(UNSIGNED), kafka.settings(), s3.settings(),
                    stateDir, trusted)).as("the unsigned copy downloaded above is not taken from the cache")
                    .isInstanceOf(TrustedKeys.UntrustedVersionException.class)
                    .hasMessageContaining("model version " + UNSIGNED + " is unsigned");
            assertThatThrownBy(() -> ReplayModels.resolve(List.of(unsignedDir.toString()), kafka.settings(),
                    s3.settings(), stateDir, trusted))
                    .isInstanceOf(TrustedKeys.UntrustedVersionException.class)
                    .hasMessageContaining("model version " + signed + " is unsigned");
        }
    }

    /** The same weights under another version id, with a manifest that matches. */
    private static Path anotherVersion(Path from, Path dir, String version) throws Exception {
        Map<String, ModelDirectory.FileContent> files = new LinkedHashMap<>();
        for (Manifest.FileEntry file : ModelDirectory.verify(from).files()) {
            files.put(file.path(), target -> Files.copy(from.resolve(file.path()), target));
        }
        ModelDirectory.saveFiles(dir, version, null, files);
        return dir;
    }
}
