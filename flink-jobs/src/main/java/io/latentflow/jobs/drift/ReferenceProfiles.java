package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ImageRejectedException;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.ServingModel;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.ValidationPsnr;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.recipe.RecipeFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the reference profile the drift monitor compares a served model's latents with: the one stored with the
 * model version ({@value ReferenceProfile#FILE_NAME} in its directory, or beside the shipped default model's files),
 * else one computed when the job starts by encoding a folder of reference images with the model. Says which in the
 * log.
 */
public final class ReferenceProfiles {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceProfiles.class);
    private static final int BATCH = 16;

    private ReferenceProfiles() {
    }

    /**
     * @param resolution      the job's image side; a stored profile of another resolution is not used
     * @param referenceImages images to compute a profile from when none is stored (e.g. the shipped sample photos)
     */
    public static ReferenceProfile resolve(ModelLocation model, int resolution, Path referenceImages) {
        Optional<ReferenceProfile> stored = stored(model);
        if (stored.isPresent() && stored.get().imageSize() == resolution) {
            ReferenceProfile profile = stored.get();
            LOG.info("Drift reference of model {}: the profile stored with the model ({} images of {} px from {},"
                    + " created {})", profile.modelVersion(), profile.images(), profile.imageSize(), profile.source(),
                    profile.createdAt());
            return profile;
        }
        String why = stored.isPresent()
                ? "the profile stored with the model is of " + stored.get().imageSize() + " px images, the job encodes "
                + resolution + " px"
                : "no profile is stored with the model";
        return compute(model, resolution, referenceImages, why);
    }

    /** The profile stored with the model version, if any; the directory is verified against its manifest first. */
    public static Optional<ReferenceProfile> stored(ModelLocation model) {
        if (model.isDefault()) {
            return shippedWithDefault();
        }
        Path dir = Path.of(model.location());
        Manifest manifest = ModelDirectory.verify(dir);
        if (manifest.file(ReferenceProfile.FILE_NAME).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(requireVersion(ReferenceProfile.read(dir.resolve(ReferenceProfile.FILE_NAME)),
                manifest.version(), dir.toString()));
    }

    /**
     * The validation PSNRs in the version's metrics.json (what QUALITY compares sampled reconstructions with), if it
     * has them at {@code resolution}: PSNR at another image size is another yardstick.
     */
    public static Optional<ValidationPsnr> storedValidationPsnr(ModelLocation model, int resolution) {
        Optional<ValidationPsnr> stored;
        if (model.isDefault()) {
            String metrics = resource(ServingModel.class.getClassLoader(),
                    ServingModel.DEFAULT_RESOURCE_FOLDER + ModelDirectory.METRICS);
            stored = metrics == null ? Optional.empty() : ValidationPsnr.fromMetrics(metrics);
        } else {
            Path metrics = Path.of(model.location()).resolve(ModelDirectory.METRICS);
            stored = Files.isRegularFile(metrics) ? ValidationPsnr.read(metrics) : Optional.empty();
        }
        if (stored.isPresent() && stored.get().imageSize() != resolution) {
            LOG.info("Model {} was validated at {} px, the job encodes {} px: no QUALITY statistic", model,
                    stored.get().imageSize(), resolution);
            return Optional.empty();
        }
        return stored;
    }

    /** Encodes every readable image of {@code referenceImages} with the model and profiles the latents. */
    public static ReferenceProfile compute(ModelLocation model, int resolution, Path referenceImages, String why) {
        long started = System.nanoTime();
        Optional<RecipeConfig> recipe = recipeOf(model);
        try (ServingModel serving = model.load()) {
            List<String> sources = new ArrayList<>();
            List<ImageBatch> batches = batches(referenceImages, resolution, serving.config().downsamplingFactor(),
                    sources);
            // A full-size VAE takes seconds an image on a CPU: say what the wait is for and how to avoid it.
            int images = batches.stream().mapToInt(ImageBatch::count).sum();
            LOG.info("Drift reference of model {}: {}; encoding {} images of {} at {} px first ({} GFLOP); 'profile"
                            + " --model' stores one with the version, --reference-images takes a smaller folder",
                    serving.version(), why, images, referenceImages, resolution,
                    Math.round(images * serving.flops(resolution).encoderGflops()));
            ReferenceProfile profile = ReferenceProfile.compute(serving, serving.version(), batches, sources, recipe,
                    referenceImages.toAbsolutePath() + " (computed when the job started)");
            LOG.info("Drift reference of model {}: {}; computed one from {} images in {} at {} px in {} ms"
                            + " (expected latent std {} from the {})", profile.modelVersion(), why, profile.images(),
                    referenceImages, resolution, (System.nanoTime() - started) / 1_000_000,
                    String.format("%.3f", profile.expectedScale().std()), profile.expectedScale().basis());
            return profile;
        }
    }

    private static Optional<ReferenceProfile> shippedWithDefault() {
        ClassLoader loader = ServingModel.class.getClassLoader();
        String folder = ServingModel.DEFAULT_RESOURCE_FOLDER;
        String manifestJson = resource(loader, folder + ModelDirectory.MANIFEST);
        String profileJson = resource(loader, folder + ReferenceProfile.FILE_NAME);
        if (manifestJson == null || profileJson == null) {
            return Optional.empty();
        }
        Manifest manifest = Manifest.fromJson(manifestJson);
        if (manifest.file(ReferenceProfile.FILE_NAME).isEmpty()) {
            return Optional.empty(); // a stray file beside the model: its manifest does not vouch for it
        }
        return Optional.of(requireVersion(ReferenceProfile.fromJson(profileJson), manifest.version(),
                "the shipped default model"));
    }

    private static ReferenceProfile requireVersion(ReferenceProfile profile, String version, String where) {
        if (!profile.modelVersion().equals(version)) {
            throw new IllegalStateException("The reference profile stored with " + where + " is of model "
                    + profile.modelVersion() + ", but the model is " + version + ": save the model again with the"
                    + " profile of its own latents");
        }
        return profile;
    }

    private static Optional<RecipeConfig> recipeOf(ModelLocation model) {
        if (model.isDefault()) {
            String json = resource(ServingModel.class.getClassLoader(),
                    ServingModel.DEFAULT_RESOURCE_FOLDER + RecipeFile.NAME);
            return json == null ? Optional.empty() : Optional.of(RecipeConfig.fromJson(json));
        }
        try {
            return RecipeFile.read(Path.of(model.location()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the recipe of model " + model + ": " + e.getMessage(), e);
        }
    }

    /** @param sources receives the source photo of each image batched, in order (see {@code ReferenceImages}) */
    private static List<ImageBatch> batches(Path folder, int resolution, int downsamplingFactor,
                                            List<String> sources) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("Reference images folder " + folder.toAbsolutePath() + " does not exist:"
                    + " the drift monitor needs reference images for a model without a stored profile");
        }
        List<Path> files = ReferenceProfile.spreadEvenly(ImageFolders.files(folder));
        Set<Path> skipped = new HashSet<>();
        List<ImageBatch> batches = new ArrayList<>();
        ImageFolders.preparedBatches(files, new ImageDecoder(), new ModelInputResizer(resolution, downsamplingFactor),
                        BATCH, (file, reason) -> {
                            skipped.add(file);
                            LOG.info("Reference image {} skipped: {}", file.getFileName(), reason.getMessage());
                        })
                .forEachRemaining(images -> batches.add(batch(images, resolution)));
        files.stream().filter(file -> !skipped.contains(file))
                .forEach(file -> sources.add(SourceSplit.sourceOf(file.getFileName().toString())));
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("No readable images in " + folder.toAbsolutePath() + " to compute the"
                    + " drift reference from: give a folder of reference images");
        }
        return batches;
    }

    private static ImageBatch batch(List<byte[]> images, int resolution) {
        return new ImageBatch(ModelInputBatch.toNchw(images, resolution), images.size(), resolution, resolution);
    }

    private static String resource(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + name + " from the classpath", e);
        }
    }
}
