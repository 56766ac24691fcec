package io.latentflow.dashboard;

import io.latentflow.connections.S3Settings;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.registry.ModelStore;
import io.latentflow.registry.TrustedKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoders of the model versions whose latents the dashboard shows: the model shipped with the project, or a
 * version directory under {@code models/<version>/} in the bucket. Each is loaded on first use and kept. Not
 * thread-safe: one thread owns it, because DJL decoders belong to the thread that uses them.
 */
final class ReconstructionModels implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReconstructionModels.class);
    private static final long RETRY_MISSING_MS = 60_000;

    private final ModelStore store;
    private final TrustedKeys trusted;
    private final Map<String, Loaded> loaded = new HashMap<>();
    private final Map<String, Missing> missing = new HashMap<>();
    private ServingModel shippedDefault;

    /**
     * @param s3      where promoted versions live; null to decode with the shipped model only
     * @param trusted whose signature a version needs before its decoder is used (the shipped model needs none)
     */
    ReconstructionModels(S3Settings s3, TrustedKeys trusted) {
        this.store = s3 == null ? null : new ModelStore(s3);
        this.trusted = trusted;
    }

    /** The decoder of {@code version}; the same one on every call. */
    LatentDecoder decoder(String version) throws IOException {
        Loaded model = loaded.get(version);
        if (model != null) {
            return model.decoder();
        }
        Missing known = missing.get(version);
        if (known != null && System.currentTimeMillis() < known.retryAt()) {
            throw new IOException(known.reason());
        }
        try {
            ServingModel serving = load(version);
            model = new Loaded(serving, serving.newDecoder());
            loaded.put(version, model);
            missing.remove(version);
            return model.decoder();
        } catch (IOException | RuntimeException e) {
            String reason = e.getMessage();
            missing.put(version, new Missing(reason, System.currentTimeMillis() + RETRY_MISSING_MS));
            LOG.warn("Dashboard cannot decode latents of model {}: {}", version, reason);
            throw new IOException(reason, e);
        }
    }

    int downsamplingFactor(String version) {
        return loaded.get(version).serving().config().downsamplingFactor();
    }

    private ServingModel load(String version) throws IOException {
        if (shippedDefault == null) {
            shippedDefault = ServingModel.loadDefault();
        }
        if (shippedDefault.version().equals(version)) {
            return shippedDefault;
        }
        if (store == null) {
            throw new IOException("model " + version + " is not the shipped default (" + shippedDefault.version()
                    + ") and no object store was given to look for it");
        }
        Path directory = Files.createTempDirectory("latentflow-dashboard-model-");
        try {
            return ServingModel.load(store.download(version, directory, trusted));
        } catch (IllegalArgumentException e) {
            throw new IOException("model " + version + " is not the shipped default (" + shippedDefault.version()
                    + "), and the object store cannot give it: " + e.getMessage(), e);
        } finally {
            ModelDirectory.deleteRecursively(directory);
        }
    }

    @Override
    public void close() {
        loaded.values().forEach(model -> model.decoder().close());
        loaded.values().stream().map(Loaded::serving).filter(m -> m != shippedDefault).forEach(ServingModel::close);
        if (shippedDefault != null) {
            shippedDefault.close();
        }
        loaded.clear();
    }

    private record Loaded(ServingModel serving, LatentDecoder decoder) {
    }

    private record Missing(String reason, long retryAt) {
    }
}
