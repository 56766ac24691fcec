package io.latentflow.jobs.drift;

import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelStore;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.store.ModelDirectory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference profile of each model version the encoder serves: the job's own model's, resolved when the job was
 * built, and for a version the registry promoted, the {@value ReferenceProfile#FILE_NAME} published with it (checked
 * against its manifest), fetched once per operator instance. A version published without a profile, or with one of
 * another image size, has none: its latents are not judged for drift (a warning says so).
 */
public final class ReferenceProfileLookup implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceProfileLookup.class);

    private final ReferenceProfile own;
    private final S3Settings registry;
    private transient Map<String, Optional<ReferenceProfile>> fetched;

    /** @param registry where promoted versions' profiles are, or null when the job serves its own model only */
    public ReferenceProfileLookup(ReferenceProfile own, S3Settings registry) {
        this.own = own;
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

    private Optional<ReferenceProfile> fetch(String version) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("latentflow-profile-");
            Optional<Path> file = new ModelStore(registry).file(version, ReferenceProfile.FILE_NAME, dir);
            if (file.isEmpty()) {
                LOG.warn("Model version {} was published without a {}: its latents are not judged for drift", version,
                        ReferenceProfile.FILE_NAME);
                return Optional.empty();
            }
            ReferenceProfile profile = ReferenceProfile.read(file.get());
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
        } finally {
            if (dir != null) {
                try {
                    ModelDirectory.deleteRecursively(dir);
                } catch (IOException e) {
                    LOG.debug("Could not delete {}", dir, e);
                }
            }
        }
    }
}
