package io.latentflow.jobs.drift;

import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelStore;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.ValidationPsnr;
import io.latentflow.model.store.ModelDirectory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference profile of each model version the encoder serves: the job's own model's, resolved when the job was
 * built, and for a version the registry promoted, the {@value ReferenceProfile#FILE_NAME} published with it (checked
 * against its manifest), fetched once per operator instance. A version published without a profile, or with one of
 * another image size, has none: its latents are not judged for drift (a warning says so). Beside each profile, the
 * version's validation PSNRs (from its metrics.json), what QUALITY needs; a version without them is judged on the
 * rest.
 */
public final class ReferenceProfileLookup implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceProfileLookup.class);

    private final ReferenceProfile own;
    private final ValidationPsnr ownValidation;
    private final S3Settings registry;
    private transient Map<String, Optional<ReferenceProfile>> fetched;
    private transient Map<String, Optional<ValidationPsnr>> fetchedValidation;

    /** @param registry where promoted versions' profiles are, or null when the job serves its own model only */
    public ReferenceProfileLookup(ReferenceProfile own, S3Settings registry) {
        this(own, Optional.empty(), registry);
    }

    /** @param ownValidation the job's own model's validation PSNRs, if it has them */
    public ReferenceProfileLookup(ReferenceProfile own, Optional<ValidationPsnr> ownValidation, S3Settings registry) {
        this.own = own;
        this.ownValidation = ownValidation.orElse(null);
        this.registry = registry;
    }

    public Optional<ReferenceProfile> forVersion(String version) {
        if (own.modelVersion().equals(version)) {
            return Optional.of(own);
        }
        if (registry == null) {
            return Optional.empty();
        }
        if (fetched == null) {
            fetched = new HashMap<>();
        }
        return fetched.computeIfAbsent(version, this::fetch);
    }

    /** The version's validation PSNR distribution, for QUALITY; empty for a version published without one. */
    public Optional<ValidationPsnr> validationPsnr(String version) {
        if (own.modelVersion().equals(version)) {
            return Optional.ofNullable(ownValidation);
        }
        if (registry == null) {
            return Optional.empty();
        }
        if (fetchedValidation == null) {
            fetchedValidation = new HashMap<>();
        }
        return fetchedValidation.computeIfAbsent(version, v -> {
            try {
                return downloaded(v, ModelDirectory.METRICS, ValidationPsnr::read).flatMap(Function.identity())
                        .filter(psnr -> psnr.imageSize() == own.imageSize());
            } catch (IOException | RuntimeException e) {
                LOG.warn("No validation PSNRs for model version {}, so no QUALITY: {}", v, e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** Reads one file of a published version, downloaded to a directory deleted afterwards. */
    private <T> Optional<T> downloaded(String version, String fileName, Function<Path, T> read)
            throws IOException {
        Path dir = Files.createTempDirectory("latentflow-profile-");
        try {
            return new ModelStore(registry).file(version, fileName, dir).map(read);
        } finally {
            try {
                ModelDirectory.deleteRecursively(dir);
            } catch (IOException e) {
                LOG.debug("Could not delete {}", dir, e);
            }
        }
    }

    private Optional<ReferenceProfile> fetch(String version) {
        try {
            Optional<ReferenceProfile> stored = downloaded(version, ReferenceProfile.FILE_NAME, ReferenceProfile::read);
            if (stored.isEmpty()) {
                LOG.warn("Model version {} was published without a {}: its latents are not judged for drift", version,
                        ReferenceProfile.FILE_NAME);
                return Optional.empty();
            }
            ReferenceProfile profile = stored.get();
            if (profile.imageSize() != own.imageSize() || !version.equals(profile.modelVersion())) {
                LOG.warn("The reference profile of model version {} is of {} px images of model {}; the job encodes"
                        + " {} px: its latents are not judged for drift", version, profile.imageSize(),
                        profile.modelVersion(), own.imageSize());
                return Optional.empty();
            }
            LOG.info("Drift reference of model {}: the profile published with it ({} images of {} px)", version,
                    profile.images(), profile.imageSize());
            return Optional.of(profile);
        } catch (IOException | RuntimeException e) {
            LOG.warn("No drift reference for model version {}: {}", version, e.getMessage());
            return Optional.empty();
        }
    }
}
