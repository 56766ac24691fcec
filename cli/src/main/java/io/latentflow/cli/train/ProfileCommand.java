package io.latentflow.cli.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.cli.common.Home;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.ServingModel;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.EvaluationOptions;
import io.latentflow.model.eval.Evaluator;
import io.latentflow.model.eval.ValidationPsnr;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.store.ShippedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Stores a drift reference profile with a model version saved without one. Versions are immutable, so the result is
 * a new directory: the same files and version id plus {@value ReferenceProfile#FILE_NAME}, under a new manifest. The
 * trainer writes the profile itself; this is for models saved before it did, and for imported VAEs. A version whose
 * metrics.json has no validation PSNRs (an imported VAE's is empty) also gets those of the same images, so the drift
 * monitor's QUALITY has its yardstick.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Copy a model version with the drift reference profile of its latents on reference images.")
public final class ProfileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|default",
            description = "A model version directory, or 'default' for the shipped default model.")
    String model;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Reference images, picked and resized as the encode job does (default: the shipped sample"
                    + " photos).")
    Path images;

    @Option(names = "--resolution", defaultValue = "256",
            description = "Side of the images the profile describes; the job uses it when it encodes at this"
                    + " resolution (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New model version directory.")
    Path out;

    @Mixin
    JsonOptions output;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        ModelLocation location = ModelLocation.parse(model);
        Path referenceImages = images != null ? images : Home.samples().resolve("photos");
        ReferenceProfile profile = ReferenceProfiles.compute(location, resolution, referenceImages,
                "asked for by ./latentflow profile");
        Path source = location.isDefault() ? ShippedModel.extract(ServingModel.class.getClassLoader(),
                ServingModel.DEFAULT_RESOURCE_FOLDER).orElseThrow() : Path.of(model);
        try {
            Map<String, String> profileFile = Map.of(ReferenceProfile.FILE_NAME, profile.withSource(profile.images()
                    + " images of " + referenceImages.normalize().getFileName() + " (written by ./latentflow profile)")
                    .toJson());
            Path metricsFile = source.resolve(ModelDirectory.METRICS);
            Optional<ValidationPsnr> validation = ValidationPsnr.read(metricsFile).isPresent() ? Optional.empty()
                    : Optional.of(validationPsnr(location, referenceImages));
            Manifest manifest;
            if (validation.isEmpty()) {
                manifest = ModelDirectory.copyWith(source, out, profileFile);
            } else {
                Path profiled = Files.createTempDirectory("latentflow-profiled-").resolve("version");
                try {
                    ModelDirectory.copyWith(source, profiled, profileFile);
                    ObjectNode metrics = (ObjectNode) JSON.readTree(Files.readString(metricsFile));
                    metrics.putPOJO(ValidationPsnr.METRICS_FIELD, validation.get().toJson());
                    manifest = ModelDirectory.copyWithMetrics(profiled, out, JSON.writeValueAsString(metrics));
                } finally {
                    ModelDirectory.deleteRecursively(profiled.getParent());
                }
            }
            if (output.json()) {
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("version", manifest.version());
                report.put("profileImages", profile.images());
                report.put("imageSize", profile.imageSize());
                report.put("dir", out.toAbsolutePath().toString());
                report.put(ValidationPsnr.METRICS_FIELD, validation.map(ValidationPsnr::toJson).orElse(null));
                output.print(spec, report);
                return 0;
            }
            spec.commandLine().getOut().printf("model %s with its reference profile (%d images of %d px)%s written"
                    + " to %s%n", manifest.version(), profile.images(), profile.imageSize(), validation.map(psnr ->
                    String.format(Locale.ROOT, " and validation PSNRs (median %.2f dB)", psnr.median())).orElse(""),
                    out.toAbsolutePath());
            return 0;
        } finally {
            if (location.isDefault()) {
                ModelDirectory.deleteRecursively(source);
            }
        }
    }

    /** The per-image reconstruction PSNRs of the images at the job's resolution, as {@code eval} measures them. */
    private ValidationPsnr validationPsnr(ModelLocation location, Path referenceImages) {
        List<Double> perImage = new ArrayList<>();
        try (ServingModel served = location.load()) {
            EvalCommand.FolderBatches batches = new EvalCommand.FolderBatches(referenceImages,
                    new ModelInputResizer(resolution, served.config().downsamplingFactor()), 16,
                    spec.commandLine().getErr());
            Evaluator.evaluate(served, batches, EvaluationOptions.defaults().withNoiseSigmas(List.of()), null,
                    perImage::add);
        }
        return ValidationPsnr.of(resolution, perImage.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
