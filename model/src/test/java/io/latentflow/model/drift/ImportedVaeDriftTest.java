package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.eval.ImageBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported 16-channel diffusers VAE (FLUX's family: no quant convs, a shift) through the drift monitor's model-level
 * path on real images: the reference profile from its latents, stored and read back, and the statistics and scores of
 * windows of photos it was not built from and of illustrations. The fixture has random weights whose scale and shift
 * were read from its own latents (make_diffusers_fixtures.py drift-models), as a published VAE's were.
 */
class ImportedVaeDriftTest {

    private static final Path FIXTURE = Path.of("src/test/resources/diffusers/drift-flux-c16");
    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    /** Small for speed: a latent of 16 x 16 positions still gives every statistic its numbers. */
    private static final int SIZE = 128;
    private static final int WINDOW = 32;
    /** The first sample-photo sources in name order make the reference; the others are unseen. */
    private static final int REFERENCE_SOURCES = 8;

    @TempDir
    static Path temp;

    private static ServingModel model;
    private static ReferenceProfile profile;
    private static List<float[]> unseenPhotos;
    private static List<float[]> illustrations;

    @BeforeAll
    static void importAndProfile() throws IOException {
        ImportedVae.read(FIXTURE).save(temp.resolve("model"), null);
        model = ServingModel.load(temp.resolve("model"));
        List<Path> photos = ImageFolders.files(SAMPLES.resolve("photos"));
        Set<String> referenceSources = Set.copyOf(photos.stream().map(p -> SourceSplit.sourceOf(p.getFileName()
                .toString())).distinct().sorted().limit(REFERENCE_SOURCES).toList());
        List<Path> reference = new ArrayList<>();
        List<Path> unseen = new ArrayList<>();
        for (Path photo : photos) {
            (referenceSources.contains(SourceSplit.sourceOf(photo.getFileName().toString())) ? reference : unseen)
                    .add(photo);
        }
        List<Path> referenceImages = ReferenceProfile.spreadEvenly(reference);
        profile = ReferenceProfile.compute(model, model.version(), List.of(batch(referenceImages)),
                referenceImages.stream().map(p -> SourceSplit.sourceOf(p.getFileName().toString())).toList(),
                Optional.empty(), "sample photos of " + REFERENCE_SOURCES + " sources");
        unseenPhotos = encode(ReferenceProfile.spreadEvenly(unseen).subList(0, WINDOW));
        illustrations = encode(ImageFolders.files(SAMPLES.resolve("illustrations")).subList(0, WINDOW));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theProfileHasSixteenChannelsAndTheirTextureAndSurvivesBeingStored() {
        ReferenceProfile stored = ReferenceProfile.fromJson(profile.toJson());

        assertThat(model.config().latentChannels()).isEqualTo(16);
        assertThat(profile.channelCount()).isEqualTo(16);
        assertThat(profile.expectedScale().basis()).as("imported latents promise unit scale")
                .isEqualTo(ExpectedScale.UNIT);
        assertThat(profile.std()).as("the scale read from the model's own latents holds on photos").isBetween(0.5, 2.0);
        assertThat(stored.channelCount()).isEqualTo(16);
        assertThat(stored.novelty(unseenPhotos.get(0))).as("the 152-number descriptors read back")
                .isEqualTo(profile.novelty(unseenPhotos.get(0)));
    }

    @Test
    void aWindowOfUnseenPhotosScoresEveryChannelAndRaisesNothing() {
        WindowStatistics window = window(unseenPhotos);
        DriftAssessment assessment = new DriftScorer(profile, DriftThresholds.DEFAULTS).assess(window);

        assertThat(window.channels()).hasSize(16);
        assertThat(assessment.channels()).hasSize(16);
        assertThat(window.fractionOutsideUnit()).as("unit-scale latents lie outside [-1, 1] by design")
                .isGreaterThan(0.1);
        assertThat(assessment.score()).isLessThan(1);
        assertThat(assessment.findings()).as("no statistic and no pathology (OUT_OF_RANGE is for bounded latents)")
                .isEmpty();
    }

    @Test
    void aWindowOfIllustrationsIsMoreNovelThanOneOfUnseenPhotos() {
        double photos = window(unseenPhotos).novelty();
        double drawn = window(illustrations).novelty();

        assertThat(drawn).isGreaterThan(photos);
    }

    private static WindowStatistics window(List<float[]> latents) {
        WindowAccumulator accumulator = new WindowAccumulator(profile);
        for (int i = 0; i < latents.size(); i++) {
            accumulator.add("image-" + i, "test", i, latents.get(i), profile.novelty(latents.get(i)));
        }
        return accumulator.result();
    }

    private static ImageBatch batch(List<Path> files) {
        List<byte[]> prepared = ImageFolders.prepare(files, new ImageDecoder(), new ModelInputResizer(SIZE,
                model.config().downsamplingFactor()), (file, reason) -> {
            throw new IllegalStateException(file + ": " + reason);
        });
        return new ImageBatch(ModelInputBatch.toNchw(prepared, SIZE), prepared.size(), SIZE, SIZE);
    }

    private static List<float[]> encode(List<Path> files) {
        ImageBatch batch = batch(files);
        try (LatentEncoder encoder = model.newEncoder()) {
            float[] latents = encoder.encode(batch.pixels(), batch.count(), SIZE, SIZE);
            int perImage = latents.length / batch.count();
            List<float[]> each = new ArrayList<>();
            for (int i = 0; i < batch.count(); i++) {
                each.add(Arrays.copyOfRange(latents, i * perImage, (i + 1) * perImage));
            }
            return each;
        }
    }
}
