package io.latentflow.dashboard;

import io.latentflow.connections.S3Settings;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.minio.DownloadObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
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

    static final String MODELS_PREFIX = "models/";

    private static final Logger LOG = LoggerFactory.getLogger(ReconstructionModels.class);
    private static final long RETRY_MISSING_MS = 60_000;

    private final S3Settings s3;
    private final Map<String, Loaded> loaded = new HashMap<>();
    private final Map<String, Missing> missing = new HashMap<>();
    private ServingModel shippedDefault;

    /** @param s3 where promoted versions live; null to decode with the shipped model only */
    ReconstructionModels(S3Settings s3) {
        this.s3 = s3;
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
        if (s3 == null) {
            throw new IOException("model " + version + " is not the shipped default (" + shippedDefault.version()
                    + ") and no object store was given to look for it");
        }
        Manifest.requireSafeVersion(version);
        Path directory = Files.createTempDirectory("latentflow-dashboard-model-");
        try {
            if (download(MODELS_PREFIX + version + "/", directory) == 0) {
                throw new IOException("model " + version + " is neither the shipped default (" + shippedDefault.version()
                        + ") nor under " + s3.uri(MODELS_PREFIX + version + "/"));
            }
            return ServingModel.load(directory);
        } finally {
            ModelDirectory.deleteRecursively(directory);
        }
    }

    private int download(String prefix, Path directory) throws IOException {
        MinioClient client = s3.newClient();
        int files = 0;
        try {
            for (Result<Item> result : client.listObjects(
                    ListObjectsArgs.builder().bucket(s3.bucket()).prefix(prefix).recursive(true).build())) {
                Item item = result.get();
                String relative = item.objectName().substring(prefix.length());
                Path target = directory.resolve(relative).normalize();
                if (item.isDir() || relative.isEmpty() || !target.startsWith(directory)) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                client.downloadObject(DownloadObjectArgs.builder().bucket(s3.bucket()).object(item.objectName())
                        .filename(target.toString()).build());
                files++;
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot download " + s3.uri(prefix) + ": " + e.getMessage(), e);
        }
        return files;
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
