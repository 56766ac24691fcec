package io.latentflow.model.drift;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.eval.Moments;
import io.latentflow.model.recipe.RecipeConfig;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a model version's latents look like on reference images: per channel mean, std, range and quantile bins, plus
 * the overall scale the model promises. Windows of live latents are compared against it ({@link DriftScorer}).
 *
 * <p>Stored with the model: {@value #FILE_NAME} in the model version directory, written when the version is created
 * (pass {@code Map.of(ReferenceProfile.FILE_NAME, profile.toJson())} as an extra file to {@code ModelDirectory.save}),
 * so it is covered by the directory's sha256 manifest like every other file. A model without one gets a profile
 * computed from reference images when a job starts.
 *
 * @param formatVersion       {@value #FORMAT_VERSION}
 * @param modelVersion        the model version whose latents these are
 * @param model               its architecture, e.g. {@code bounded-f8c8}
 * @param imageSize           side of the square images the latents were encoded from
 * @param images              reference images
 * @param source              which images, for people
 * @param createdAt           ISO-8601 instant
 * @param expectedScale       what the SCALE check holds the overall std to
 * @param std                 overall standard deviation, all channels pooled
 * @param fractionOutsideUnit fraction of values outside [-1, 1]
 * @param blackHolesPerImage  {@link BlackHoles} positions per reference image
 * @param blackHolesHighestWindow the most {@link BlackHoles} positions per image of any window of consecutive reference
 *                            images (as NOVELTY's scale is read, {@link ReferenceImages}): BLACK_HOLES's level is this
 *                            plus a margin. Absent from profiles written before it: then {@code blackHolesPerImage}
 *                            (which it can never be below)
 * @param channels            per channel
 * @param referenceImages     the reference images as points, for the NOVELTY of live images
 * @param exposure            the reference images' {@link ImageExposure} levels, from which EXPOSURE reads its levels;
 *                            null when the profile was made from latents alone or before it was recorded (then no
 *                            EXPOSURE verdict)
 */
@JsonPropertyOrder(alphabetic = false)
public record ReferenceProfile(
        int formatVersion,
        String modelVersion,
        String model,
        int imageSize,
        long images,
        String source,
        String createdAt,
        ExpectedScale expectedScale,
        double std,
        double fractionOutsideUnit,
        double blackHolesPerImage,
        double blackHolesHighestWindow,
        List<ReferenceChannel> channels,
        ReferenceImages referenceImages,
        ReferenceExposure exposure) implements Serializable {

    public static final String FILE_NAME = "reference-profile.json";
    /**
     * 2: NOVELTY's reference images are {@link LatentDescriptor}s, not channel means and stds (measured with
     * {@code bench drift}: window AUC 0.98-0.99 instead of 0.86 between unseen photos and illustrations).
     */
    public static final int FORMAT_VERSION = 2;
    /** PSI over deciles: the convention of the population stability index, and few enough bins for small windows. */
    public static final int DEFAULT_BINS = 10;
    /**
     * At most this many reference images, spread evenly over a folder's name order: a broad sample of every source of
     * the model's training data (the 1320 photo tiles of 27 sources give about 19 per source), so that NOVELTY's
     * nearest neighbours and its leave-source-out typical distance see every kind of scene. Encoding them takes about
     * a minute at 256 px on a CPU, once per model version. The trainer and the job pick the same images from the same
     * folder, so a stored profile equals one the job would compute.
     */
    public static final int MAX_IMAGES = 512;

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ReferenceProfile {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("reference profile format " + formatVersion + " is not supported (this"
                    + " build reads format " + FORMAT_VERSION + "): compute the profile again");
        }
        if (modelVersion == null || modelVersion.isBlank()) {
            throw new IllegalArgumentException("reference profile has no modelVersion");
        }
        if (channels == null || channels.isEmpty()) {
            throw new IllegalArgumentException("reference profile of " + modelVersion + " has no channels");
        }
        if (expectedScale == null) {
            throw new IllegalArgumentException("reference profile of " + modelVersion + " has no expectedScale");
        }
        if (referenceImages == null) {
            throw new IllegalArgumentException("reference profile of " + modelVersion + " has no referenceImages");
        }
        channels = List.copyOf(channels);
        blackHolesHighestWindow = Math.max(blackHolesHighestWindow, blackHolesPerImage);
        for (int c = 0; c < channels.size(); c++) {
            if (channels.get(c).channel() != c) {
                throw new IllegalArgumentException("reference profile of " + modelVersion + " lists channel "
                        + channels.get(c).channel() + " at position " + c);
            }
        }
    }

    /**
     * Encodes the reference images with the model and profiles their latents.
     *
     * @param recipe the recipe the model was trained with, if known (it may promise a scale)
     * @param source which images these are, for people reading the profile
     */
    public static ReferenceProfile compute(ServingModel model, Iterable<ImageBatch> images,
                                           Optional<RecipeConfig> recipe, String source) {
        return compute(model, model.version(), images, recipe, source);
    }

    /**
     * Like {@link #compute(ServingModel, Iterable, Optional, String)}, for a model that will be saved under
     * {@code modelVersion} (a trainer evaluates its weights before it knows the directory they go to).
     */
    public static ReferenceProfile compute(ServingModel model, String modelVersion, Iterable<ImageBatch> images,
                                           Optional<RecipeConfig> recipe, String source) {
        return compute(model, modelVersion, images, null, recipe, source);
    }

    /**
     * Like {@link #compute(ServingModel, String, Iterable, Optional, String)}, knowing which source photo each image
     * was cut from (see {@link ReferenceImages}: novelty is then measured against other sources).
     *
     * @param imageSources one per image of {@code images}, in order; null if unknown
     */
    public static ReferenceProfile compute(ServingModel model, String modelVersion, Iterable<ImageBatch> images,
                                           List<String> imageSources, Optional<RecipeConfig> recipe, String source) {
        List<float[]> latents = new ArrayList<>();
        List<ImageExposure> exposures = new ArrayList<>();
        int imageSize = -1;
        try (LatentEncoder encoder = model.newEncoder()) {
            for (ImageBatch batch : images) {
                if (batch.height() != batch.width() || (imageSize >= 0 && batch.height() != imageSize)) {
                    throw new IllegalArgumentException("reference images must all be square and of one size: got "
                            + batch.height() + "x" + batch.width() + " after " + imageSize + "x" + imageSize);
                }
                imageSize = batch.height();
                float[] encoded = encoder.encode(batch.pixels(), batch.count(), batch.height(), batch.width());
                int perImage = encoded.length / batch.count();
                for (int i = 0; i < batch.count(); i++) {
                    latents.add(Arrays.copyOfRange(encoded, i * perImage, (i + 1) * perImage));
                    exposures.add(ImageExposure.ofModelInput(batch.pixels(), i, batch.height(), batch.width()));
                }
            }
        }
        return of(modelVersion, model.config(), recipe, imageSize, latents, imageSources, source)
                .withExposure(ReferenceExposure.of(exposures));
    }

    /**
     * Profiles latents already encoded (without their pixels, so without exposure levels: see {@link #withExposure}).
     *
     * @param latents one {@code C x H x W} array per image, all of one shape, {@code config.latentChannels()} channels
     */
    public static ReferenceProfile of(String modelVersion, AutoencoderConfig config, Optional<RecipeConfig> recipe,
                                      int imageSize, List<float[]> latents, String source) {
        return of(modelVersion, config, recipe, imageSize, latents, null, source);
    }

    /**
     * Profiles latents already encoded, knowing the source photo of each (see {@link ReferenceImages}).
     *
     * @param imageSources one per latent, e.g. {@code SourceSplit.sourceOf(fileName)}; null if unknown
     */
    public static ReferenceProfile of(String modelVersion, AutoencoderConfig config, Optional<RecipeConfig> recipe,
                                      int imageSize, List<float[]> latents, List<String> imageSources,
                                      String source) {
        int channels = config.latentChannels();
        if (latents.size() < 2) {
            throw new IllegalArgumentException(latents.size() + " reference latent(s) for " + modelVersion
                    + ": give at least two images (a few dozen make a useful profile)");
        }
        int perImage = latents.get(0).length;
        if (perImage == 0 || perImage % channels != 0) {
            throw new IllegalArgumentException("a latent of " + perImage + " values does not split into " + channels
                    + " channels");
        }
        int positions = perImage / channels;
        List<ReferenceChannel> profiled = new ArrayList<>(channels);
        Moments overall = Moments.EMPTY;
        long outside = 0;
        for (int c = 0; c < channels; c++) {
            float[] values = new float[latents.size() * positions];
            Moments moments = Moments.EMPTY;
            for (int i = 0; i < latents.size(); i++) {
                float[] latent = latents.get(i);
                if (latent.length != perImage) {
                    throw new IllegalArgumentException("reference latent " + i + " has " + latent.length
                            + " values, the first has " + perImage + ": all must have one shape");
                }
                System.arraycopy(latent, c * positions, values, i * positions, positions);
                moments = moments.merge(Moments.of(latent, c * positions, positions));
            }
            overall = overall.merge(moments);
            Arrays.sort(values);
            double[] edges = Bins.quantileEdges(values, DEFAULT_BINS);
            long[] counts = new long[edges.length + 1];
            for (float value : values) {
                counts[Bins.of(edges, value)]++;
                if (value > 1 || value < -1) {
                    outside++;
                }
            }
            profiled.add(new ReferenceChannel(c, moments.mean(), moments.std(), moments.min(), moments.max(), edges,
                    Bins.fractions(counts)));
        }
        BlackHoles blackHoles = new BlackHoles(profiled.stream().mapToDouble(ReferenceChannel::mean).toArray(),
                profiled.stream().mapToDouble(ReferenceChannel::std).toArray());
        double[] holesPerImage = latents.stream()
                .mapToDouble(latent -> blackHoles.positionsIn(latent, 0, positions, null)).toArray();
        return new ReferenceProfile(FORMAT_VERSION, modelVersion, config.shortName(), imageSize, latents.size(),
                source, Instant.now().toString(), ExpectedScale.of(config, recipe, overall.std()), overall.std(),
                (double) outside / overall.count(), Arrays.stream(holesPerImage).average().orElse(0),
                ReferenceImages.highestWindowMean(holesPerImage), profiled,
                ReferenceImages.of(latents.stream().map(latent -> LatentDescriptor.of(latent, channels))
                        .toArray(double[][]::new), imageSources), null);
    }

    /** The same profile with the exposure levels of the images its latents were encoded from. */
    public ReferenceProfile withExposure(ReferenceExposure levels) {
        return new ReferenceProfile(formatVersion, modelVersion, model, imageSize, images, source, createdAt,
                expectedScale, std, fractionOutsideUnit, blackHolesPerImage, blackHolesHighestWindow, channels,
                referenceImages, levels);
    }

    /** The same profile, its images described as {@code newSource} (e.g. by folder name, not by a local path). */
    public ReferenceProfile withSource(String newSource) {
        return new ReferenceProfile(formatVersion, modelVersion, model, imageSize, images, newSource, createdAt,
                expectedScale, std, fractionOutsideUnit, blackHolesPerImage, blackHolesHighestWindow, channels,
                referenceImages, exposure);
    }

    /** At most {@value #MAX_IMAGES} of {@code items}, spread evenly over their order. */
    public static <T> List<T> spreadEvenly(List<T> items) {
        if (items.size() <= MAX_IMAGES) {
            return items;
        }
        List<T> spread = new ArrayList<>(MAX_IMAGES);
        for (int i = 0; i < MAX_IMAGES; i++) {
            spread.add(items.get((int) ((long) i * items.size() / MAX_IMAGES)));
        }
        return spread;
    }

    /**
     * How unlike the reference images one image's latent is: see {@link ReferenceImages}.
     *
     * @param latent {@code C x H x W} values
     */
    public double novelty(float[] latent) {
        return referenceImages.novelty(LatentDescriptor.of(latent, channelCount()));
    }

    public int channelCount() {
        return channels.size();
    }

    public ReferenceChannel channel(int c) {
        return channels.get(c);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the reference profile of " + modelVersion + " as JSON", e);
        }
    }

    public static ReferenceProfile fromJson(String json) {
        try {
            return JSON.readValue(json, ReferenceProfile.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException("not a reference profile: " + cause.getMessage(), e);
        }
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson());
    }

    public static ReferenceProfile read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the reference profile " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage() + "; compute the profile again", e);
        }
    }

    /** The profile stored in a model version directory, if it has one. Verify the directory first. */
    public static Optional<ReferenceProfile> storedIn(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
    }
}
