package io.latentflow.jobs.encode;

import ai.djl.Device;
import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelStore;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.bench.ResidentMemory;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.shards.StoredLatents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions one encoder subtask holds: its job's own model, loaded when it opens, and registry versions
 * downloaded, verified, loaded and warmed up on a background thread while the subtask keeps encoding with what it has.
 * Versions no longer needed are closed, so two models are resident only around a swap.
 */
final class ServedModels implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServedModels.class);

    /** A loaded version and its encoder (not thread-safe: used by the subtask's thread only, once loaded). */
    record Loaded(ServingModel model, LatentEncoder encoder, Path downloaded) implements AutoCloseable {
        @Override
        public void close() {
            encoder.close();
            model.close();
            if (downloaded != null) {
                deleteQuietly(downloaded);
            }
        }
    }

    /** A version that could not be downloaded, verified, loaded or warmed up; the message says which and why. */
    static final class UnavailableVersionException extends RuntimeException {
        UnavailableVersionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ModelLocation base;
    private final ModelStore store;
    private final TrustedKeys trustedKeys;
    private final Device device;
    private final int resolution;
    private final StoredLatents latents;
    private final String baseVersion;
    private final Map<String, CompletableFuture<Loaded>> versions = new ConcurrentHashMap<>();
    private final ExecutorService loader = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "model-loader");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Loads the job's own model now (a job that cannot load it fails with the reason).
     *
     * @param s3          where registry versions are downloaded from, or null when the job serves its own model only
     * @param trustedKeys whose signature a registry version needs to be served (the job's own model needs none: whoever
     *                    starts the job chose it)
     */
    ServedModels(ModelLocation base, S3Settings s3, TrustedKeys trustedKeys, Device device, int resolution,
                 StoredLatents latents) {
        this.base = base;
        this.latents = latents;
        this.store = s3 == null ? null : new ModelStore(s3);
        this.trustedKeys = trustedKeys;
        this.device = device;
        this.resolution = resolution;
        Loaded own = loadOwn();
        this.baseVersion = own.model().version();
        versions.put(baseVersion, CompletableFuture.completedFuture(own));
    }

    String baseVersion() {
        return baseVersion;
    }

    /**
     * Starts loading {@code version} in the background unless it is loaded, loading, or failed to load (a version
     * that failed is rejected: it is not tried again).
     */
    CompletableFuture<Loaded> prepare(String version) {
        return versions.computeIfAbsent(version, v -> CompletableFuture.supplyAsync(() -> load(v), loader));
    }

    /** The loaded version, waiting for its load if it is under way. */
    Loaded get(String version) throws InterruptedException {
        try {
            return prepare(version).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof UnavailableVersionException unavailable ? unavailable
                    : new UnavailableVersionException("model version " + version + " failed to load: " + cause, cause);
        }
    }

    /** Closes every loaded version but {@code keep}; one still loading stays. */
    void retainOnly(Set<String> keep) {
        for (String version : List.copyOf(versions.keySet())) {
            CompletableFuture<Loaded> future = versions.get(version);
            if (!keep.contains(version) && future != null && future.isDone() && !future.isCompletedExceptionally()) {
                versions.remove(version);
                future.join().close();
                LOG.info("Closed model version {}: no longer served", version);
            }
        }
    }

    /** The versions loaded or loading now (what a checkpoint remembers). */
    Set<String> held() {
        return versions.entrySet().stream().filter(entry -> !entry.getValue().isCompletedExceptionally())
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    private Loaded loadOwn() {
        ServingModel model = base.load(device);
        return warmedUp(model, null);
    }

    private Loaded load(String version) {
        if (version.equals(baseVersion)) {
            return loadOwn();
        }
        if (store == null) {
            throw new UnavailableVersionException("model version " + version + " is not this job's model ("
                    + baseVersion + ") and the job does not follow the registry", null);
        }
        long started = System.nanoTime();
        ResidentMemory before = ResidentMemory.now();
        Path dir;
        try {
            dir = Files.createTempDirectory("latentflow-model-" + version + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            store.download(version, dir, trustedKeys);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(dir);
            throw new UnavailableVersionException("model version " + version + " could not be downloaded and verified"
                    + " from the registry: " + e.getMessage(), e);
        }
        ServingModel model;
        try {
            model = ServingModel.load(dir, device);
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            throw new UnavailableVersionException("model version " + version + " failed to load: " + e.getMessage(), e);
        }
        if (!model.version().equals(version)) {
            model.close();
            throw new UnavailableVersionException("the files of model version " + version + " say they are version "
                    + model.version(), null);
        }
        Loaded loaded;
        try {
            loaded = warmedUp(model, dir);
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            throw e;
        }
        LOG.info("Model version {} is ready on {} after {} ms (downloaded, verified, loaded, warmed up); {}", version,
                device, (System.nanoTime() - started) / 1_000_000, ResidentMemory.now().since(before));
        return loaded;
    }

    /** Checks the model fits the job's resolution and encodes one blank image, so the first real batch is not slow. */
    private Loaded warmedUp(ServingModel model, Path downloaded) {
        int factor = model.config().downsamplingFactor();
        if (resolution % factor != 0) {
            model.close();
            throw new UnavailableVersionException("resolution " + resolution + " is not a multiple of model "
                    + model.version() + "'s downsampling factor " + factor, null);
        }
        LatentEncoder encoder;
        try {
            encoder = latents == StoredLatents.MOMENTS ? model.newMomentsEncoder() : model.newEncoder();
        } catch (UnsupportedOperationException e) {
            model.close();
            throw new UnavailableVersionException("the job stores posterior moments (--latents moments), which model "
                    + model.version() + " cannot give: " + e.getMessage(), e);
        }
        try {
            encoder.encode(new float[3 * resolution * resolution], 1, resolution, resolution);
        } catch (RuntimeException e) {
            encoder.close();
            model.close();
            throw new UnavailableVersionException("model version " + model.version() + " failed its warm-up encode: "
                    + e.getMessage(), e);
        }
        return new Loaded(model, encoder, downloaded);
    }

    private static void deleteQuietly(Path dir) {
        try {
            ModelDirectory.deleteRecursively(dir);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    @Override
    public void close() {
        loader.shutdownNow();
        for (CompletableFuture<Loaded> future : versions.values()) {
            if (future.isDone() && !future.isCompletedExceptionally()) {
                future.join().close();
            }
        }
        versions.clear();
    }
}
