package io.latentflow.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.ServingModel;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.store.InvalidModelDirectoryException;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import io.minio.ListObjectsArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versions published to real object storage, their life on a real compacted topic, and what it adds up to. */
class ModelRegistryTest {

    @TempDir
    Path work;

    @Test
    void publishPromoteRollbackAndATamperedVersionRefusedWithNothingUploaded() throws Exception {
        Path first = VersionDirectories.copyOfShipped(work.resolve("first"));
        Path second = VersionDirectories.anotherVersion(first, work.resolve("second"), "bounded-f8c8-000000000002");
        Path tampered = VersionDirectories.anotherVersion(first, work.resolve("tampered"), "bounded-f8c8-000000000003");
        byte[] decoder = Files.readAllBytes(tampered.resolve(ModelDirectory.DECODER_PARAMS));
        decoder[decoder.length / 2] ^= 1;
        Files.write(tampered.resolve(ModelDirectory.DECODER_PARAMS), decoder);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {
            assertThatThrownBy(() -> registry.publish(tampered)).isInstanceOf(InvalidModelDirectoryException.class)
                    .hasMessageContaining(ModelDirectory.DECODER_PARAMS);
            assertThat(objects(s3, "models/")).as("nothing uploaded for a tampered version").isEmpty();

            String a = registry.publish(first);
            String b = registry.publish(second);
            assertThat(a).isEqualTo(ModelDirectory.verify(first).version());
            assertThat(objects(s3, "models/" + b + "/")).contains("models/" + b + "/manifest.json");
            assertThatThrownBy(() -> registry.publish(first)).hasMessageContaining("already published");
            assertThatThrownBy(() -> registry.promote("nope", "test")).hasMessageContaining("not published");

            registry.promote(a, "first");
            registry.promote(b, "better");
            assertThat(registry.history().serving()).contains(b);
            assertThat(registry.rollback("worse on photos")).isEqualTo(a);
            ModelHistory history = registry.history();
            assertThat(history.serving()).contains(a);
            assertThat(history.versions().get(b).state()).isEqualTo(ModelEventType.ROLLED_BACK);
            assertThat(history.versions().get(a).figures()).containsKey("psnr");
            assertThat(history.events()).extracting(e -> e.getType())
                    .containsExactly(ModelEventType.PUBLISHED, ModelEventType.PUBLISHED, ModelEventType.PROMOTED,
                            ModelEventType.PROMOTED, ModelEventType.ROLLED_BACK);

            assertThat(ServingTimeline.effectiveFrom(history.events().get(3)))
                    .as("a promotion takes effect the lead after it is recorded")
                    .isGreaterThanOrEqualTo(history.events().get(3).getTime().toEpochMilli()
                            + ModelRegistry.DEFAULT_LEAD.toMillis());
            assertThatThrownBy(() -> registry.promote(b, "hurry", java.time.Duration.ofSeconds(1)))
                    .hasMessageContaining("at least 5 s");

            registry.promote(b, "again");
            registry.reject(b, "gate: 0.4 dB below serving on older data", java.util.Map.of("psnrDelta", -0.4));
            assertThat(registry.history().serving()).as("a rejected version does not serve").contains(a);
            assertThatThrownBy(() -> registry.promote(b, "again")).hasMessageContaining("rejected");

            Path downloaded = registry.download(b, work.resolve("downloaded"));
            assertThat(ModelDirectory.verify(downloaded).version()).isEqualTo(b);
        }
    }

    @Test
    void aPromotionToAnotherLatentSpaceSaysSoInItsEvent() throws Exception {
        Path first = VersionDirectories.copyOfShipped(work.resolve("first"));
        Path sameEncoder = VersionDirectories.anotherVersion(first, work.resolve("same"), "bounded-f8c8-000000000002");
        Path imported = work.resolve("imported");
        ImportedVae.read(Path.of(System.getProperty("latentflow.home"), "model/src/test/resources/diffusers/sd-f32"))
                .save(imported, null);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings());
             ServingModel own = ServingModel.load(first);
             ServingModel vae = ServingModel.load(imported)) {
            String a = registry.publish(first);
            String same = registry.publish(sameEncoder);
            String sd = registry.publish(imported);
            ModelHistory published = registry.history();
            assertThat(published.versions().get(a).latentSpace()).isEqualTo(own.latentSpace());
            assertThat(published.versions().get(same).latentSpace()).isEqualTo(own.latentSpace());
            assertThat(published.versions().get(sd).latentSpace()).isEqualTo(vae.latentSpace());

            registry.promote(a, "first");
            registry.promote(same, "a decoder-only change");
            registry.promote(sd, "the diffusion team's VAE");

            List<ModelEvent> promotions = registry.history().events().stream()
                    .filter(event -> event.getType() == ModelEventType.PROMOTED).toList();
            assertThat(promotions.get(1).getAttributes()).containsEntry(ModelHistory.LATENT_SPACE, own.latentSpace())
                    .doesNotContainKey(ModelRegistry.LATENT_SPACE_CHANGED);
            assertThat(promotions.get(2).getAttributes())
                    .containsEntry(ModelHistory.LATENT_SPACE, vae.latentSpace())
                    .containsEntry(ModelRegistry.PREVIOUS_LATENT_SPACE, own.latentSpace())
                    .containsEntry(ModelRegistry.LATENT_SPACE_CHANGED, "true");
        }
    }

    @Test
    void publishingReadsTheLatentSpaceAConfigStatesAndItIsTheOneTheWeightsGive() throws Exception {
        Path own = VersionDirectories.copyOfShipped(work.resolve("own"));
        Path imported = work.resolve("imported");
        ImportedVae.read(Path.of(System.getProperty("latentflow.home"), "model/src/test/resources/diffusers/sd-f32"))
                .save(imported, null);
        assertThat(Files.readString(imported.resolve(ModelDirectory.CONFIG))).contains(ModelHistory.LATENT_SPACE);

        try (ServingModel ownLoaded = ServingModel.load(own); ServingModel importedLoaded = ServingModel.load(imported)) {
            assertThat(ModelRegistry.latentSpaceOf(imported)).as("stated in config.json")
                    .isEqualTo(importedLoaded.latentSpace());
            assertThat(ModelRegistry.latentSpaceOf(own)).as("computed from the weights")
                    .isEqualTo(ownLoaded.latentSpace());
        }
    }

    private static List<String> objects(EmbeddedS3 s3, String prefix) throws Exception {
        List<String> keys = new ArrayList<>();
        for (var item : s3.settings().newClient().listObjects(ListObjectsArgs.builder().bucket(s3.settings().bucket())
                .prefix(prefix).recursive(true).build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }
}
