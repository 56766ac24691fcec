package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.store.InvalidModelDirectoryException;
import io.latentflow.model.store.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which reference profile a job gets: the one stored with the model, or one computed from reference images. */
class ReferenceProfilesTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");
    private static final AutoencoderConfig CONFIG = AutoencoderConfig.boundedF8C4();

    @TempDir
    Path work;
    Path references;

    @BeforeEach
    void twentyPhotos() throws Exception {
        references = Files.createDirectories(work.resolve("references"));
        try (Stream<Path> photos = Files.list(PHOTOS)) {
            for (Path photo : photos.sorted().limit(20).toList()) {
                Files.copy(photo, references.resolve(photo.getFileName()));
            }
        }
    }

    @Test
    void aModelWithoutAStoredProfileGetsOneComputedFromTheReferenceImages() throws Exception {
        Path model = save("plain-f8c4", Map.of());

        ReferenceProfile profile = ReferenceProfiles.resolve(ModelLocation.of(model), 64, references);

        assertThat(profile.modelVersion()).isEqualTo("plain-f8c4");
        assertThat(profile.images()).isEqualTo(20);
        assertThat(profile.imageSize()).isEqualTo(64);
        assertThat(profile.channels()).hasSize(4);
        assertThat(profile.source()).contains(references.toString(), "computed when the job started");
    }

    @Test
    void theProfileStoredWithTheModelIsUsedAsItIs() throws Exception {
        ReferenceProfile computed = ReferenceProfiles.resolve(ModelLocation.of(save("source-f8c4", Map.of())), 64,
                references);
        ReferenceProfile stored = relabelled(computed, "stored-f8c4", "stored with the model");
        Path model = save("stored-f8c4", Map.of(ReferenceProfile.FILE_NAME, stored.toJson()));

        ReferenceProfile resolved = ReferenceProfiles.resolve(ModelLocation.of(model), 64, work.resolve("no-such-dir"));

        assertThat(resolved).usingRecursiveComparison().isEqualTo(stored);
        // a job at another resolution cannot use it: computed instead
        assertThat(ReferenceProfiles.resolve(ModelLocation.of(model), 32, references).imageSize()).isEqualTo(32);
    }

    @Test
    void aStoredProfileOfAnotherModelVersionIsRefused() throws Exception {
        ReferenceProfile computed = ReferenceProfiles.resolve(ModelLocation.of(save("other-f8c4", Map.of())), 64,
                references);
        Path model = save("this-f8c4", Map.of(ReferenceProfile.FILE_NAME, computed.toJson()));

        assertThatThrownBy(() -> ReferenceProfiles.resolve(ModelLocation.of(model), 64, references))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("other-f8c4").hasMessageContaining("this-f8c4");
    }

    @Test
    void anEditedStoredProfileFailsTheModelsChecksum() throws Exception {
        ReferenceProfile computed = ReferenceProfiles.resolve(ModelLocation.of(save("edit-f8c4", Map.of())), 64,
                references);
        Path model = save("edited-f8c4", Map.of(ReferenceProfile.FILE_NAME,
                relabelled(computed, "edited-f8c4", "x").toJson()));
        Files.writeString(model.resolve(ReferenceProfile.FILE_NAME),
                Files.readString(model.resolve(ReferenceProfile.FILE_NAME)).replace("\"x\"", "\"y\""));

        assertThatThrownBy(() -> ReferenceProfiles.resolve(ModelLocation.of(model), 64, references))
                .isInstanceOf(InvalidModelDirectoryException.class)
                .hasMessageContaining(ReferenceProfile.FILE_NAME);
    }

    @Test
    void aMissingReferenceFolderIsNamed() throws Exception {
        Path model = save("lonely-f8c4", Map.of());

        assertThatThrownBy(() -> ReferenceProfiles.resolve(ModelLocation.of(model), 64, work.resolve("nowhere")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nowhere").hasMessageContaining("reference images");
    }

    @Test
    void manyReferenceImagesAreThinnedEvenlyAcrossTheFolder() {
        // the 1320 photo tiles of ../shared/data, 512 of them
        List<Integer> thinned = ReferenceProfile.spreadEvenly(IntStream.range(0, 1320).boxed().toList());

        assertThat(thinned).hasSize(ReferenceProfile.MAX_IMAGES).startsWith(0, 2, 5).endsWith(1317).isSorted()
                .doesNotHaveDuplicates();
        assertThat(ReferenceProfile.spreadEvenly(List.of(1, 2, 3))).containsExactly(1, 2, 3);
    }

    private Path save(String version, Map<String, String> extraFiles) throws Exception {
        Path dir = work.resolve(version);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelDirectory.save(Autoencoder.initialized(CONFIG, manager, 3), dir, version, "{}", extraFiles);
        }
        return dir;
    }

    private static ReferenceProfile relabelled(ReferenceProfile profile, String version, String source) {
        return new ReferenceProfile(profile.formatVersion(), version, profile.model(), profile.imageSize(),
                profile.images(), source, profile.createdAt(), profile.expectedScale(), profile.std(),
                profile.fractionOutsideUnit(), profile.blackHolesPerImage(), profile.blackHolesHighestWindow(),
                profile.channels(),
                profile.referenceImages(), profile.exposure());
    }
}
