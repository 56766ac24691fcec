package io.latentflow.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.latentflow.model.diffusers.DiffusersAutoencoderKl;
import io.latentflow.model.diffusers.DiffusersVaeConfig;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.flops.NetworkFlops;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.store.InvalidModelDirectoryException;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.store.ShippedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One model version loaded for inference: its weights live once in native memory, and each thread opens its own
 * {@link LatentEncoder} / {@link LatentDecoder} from it. Runs on the device it is loaded on: the one given, else
 * {@link #defaultDevice()} (the first GPU when the engine sees one, else CPU). Which GPU a caller takes is its own
 * business (a Flink subtask asks its task manager; this module knows nothing of Flink).
 * Close it after every encoder and decoder opened from it is done.
 */
public final class ServingModel implements AutoCloseable {

    /** Classpath folder of the shipped default model (manifest.json and the files it lists). */
    public static final String DEFAULT_RESOURCE_FOLDER = "io/latentflow/model/default/";

    private static final Logger LOG = LoggerFactory.getLogger(ServingModel.class);
    private static final String ENGINE = "PyTorch";

    private final String version;
    private final NDManager manager;
    private final ServedNetwork network;

    private ServingModel(String version, NDManager manager, ServedNetwork network) {
        this.version = version;
        this.manager = manager;
        this.network = network;
    }

    /** Randomly initialised weights: the same config and seed give the same weights, bit for bit. */
    public static ServingModel untrained(AutoencoderConfig config, long seed, String version) {
        Manifest.requireSafeVersion(version);
        NDManager manager = newManager(defaultDevice());
        try {
            return new ServingModel(version, manager,
                    new OwnAutoencoderNetwork(Autoencoder.initialized(config, manager, seed)));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads a model version directory after verifying every file against its manifest.
     *
     * @throws InvalidModelDirectoryException when a file is missing, unlisted, truncated or modified
     */
    public static ServingModel load(Path modelDir) {
        return load(modelDir, defaultDevice());
    }

    /** {@link #load(Path)} onto {@code device} (e.g. {@code Device.gpu(2)}, {@code Device.cpu()}). */
    public static ServingModel load(Path modelDir, Device device) {
        Manifest manifest = ModelDirectory.verify(modelDir);
        Optional<DiffusersVaeConfig> imported;
        AutoencoderConfig config;
        try {
            imported = ImportedVae.savedConfig(modelDir.resolve(ModelDirectory.CONFIG));
            config = imported.isPresent() ? imported.get().architecture()
                    : AutoencoderConfig.read(modelDir.resolve(ModelDirectory.CONFIG));
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidModelDirectoryException(modelDir, ModelDirectory.CONFIG,
                    "not a valid autoencoder config: " + e.getMessage(), e);
        }
        NDManager manager = newManager(device);
        try {
            ServedNetwork network;
            if (imported.isPresent()) {
                ImportedVae vae = ImportedVae.load(modelDir, imported.get());
                network = new ImportedVaeNetwork(DiffusersAutoencoderKl.load(vae.config(), vae.weights(), manager),
                        vae.latentSpace());
            } else {
                network = new OwnAutoencoderNetwork(Autoencoder.load(config, manager,
                        modelDir.resolve(ModelDirectory.ENCODER_PARAMS),
                        modelDir.resolve(ModelDirectory.DECODER_PARAMS)));
            }
            LOG.info("Loaded model {} ({}{}) from {} on {}", manifest.version(), config.shortName(),
                    imported.isPresent() ? ", imported " + ImportedVae.IMPORTED_FROM : "", modelDir,
                    manager.getDevice());
            return new ServingModel(manifest.version(), manager, network);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            manager.close();
            throw new InvalidModelDirectoryException(modelDir, ModelDirectory.ENCODER_PARAMS + ", "
                    + ModelDirectory.DECODER_PARAMS, "parameters do not match config.json (" + e.getMessage()
                    + "); the version was saved inconsistently, save it again", e);
        }
    }

    /**
     * The default model shipped with the project ({@value #DEFAULT_RESOURCE_FOLDER} on the classpath, see the README
     * there for how it was trained), verified like any model directory.
     */
    /**
     * Copies the shipped default model's files into {@code dir} (which must not exist), as a model version directory
     * to fine-tune from or publish.
     */
    public static Path extractDefault(Path dir) throws IOException {
        Path shipped = ShippedModel.extract(ServingModel.class.getClassLoader(), DEFAULT_RESOURCE_FOLDER)
                .orElseThrow(() -> new IllegalStateException("no default model is shipped under "
                        + DEFAULT_RESOURCE_FOLDER));
        return java.nio.file.Files.move(shipped, dir);
    }

    public static ServingModel loadDefault() {
        return loadDefault(defaultDevice());
    }

    /** {@link #loadDefault()} onto {@code device}. */
    public static ServingModel loadDefault(Device device) {
        Optional<Path> shipped;
        try {
            shipped = ShippedModel.extract(ServingModel.class.getClassLoader(), DEFAULT_RESOURCE_FOLDER);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped default model from the classpath", e);
        }
        Path dir = shipped.orElseThrow(ServingModel::noDefaultShipped);
        try {
            return load(dir, device);
        } finally {
            try {
                ModelDirectory.deleteRecursively(dir);
            } catch (IOException e) {
                LOG.warn("Could not delete the temporary copy of the default model at {}: {}", dir, e.getMessage());
            }
        }
    }

    /** The shipped default model's architecture, read without loading its weights. */
    public static AutoencoderConfig defaultConfig() {
        try (InputStream config = ServingModel.class.getClassLoader()
                .getResourceAsStream(DEFAULT_RESOURCE_FOLDER + ModelDirectory.CONFIG)) {
            if (config == null) {
                throw noDefaultShipped();
            }
            return AutoencoderConfig.fromJson(new String(config.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped default model's config from the classpath", e);
        }
    }

    private static IllegalStateException noDefaultShipped() {
        return new IllegalStateException("The default model is missing from the classpath (" + DEFAULT_RESOURCE_FOLDER
                + "manifest.json): the build that made this jar lost model/src/main/resources; rebuild, or pass a"
                + " model directory instead of 'default'");
    }

    /** Writes this model as a new immutable version directory under its own version id. */
    public Manifest save(Path dir, String metricsJson) throws IOException {
        return network.save(dir, version, metricsJson);
    }

    public String version() {
        return version;
    }

    /** The architecture; for an imported VAE, its shape in latentflow's terms (f, c, widths), not its blocks. */
    public AutoencoderConfig config() {
        return network.config();
    }

    /** FLOPs of encoding and decoding one {@code side x side} image, counted from the network actually served. */
    public NetworkFlops flops(int side) {
        return network.flops(side);
    }

    /**
     * What served latents are multiplied by after the shift: diffusers' {@code scaling_factor} for an imported VAE
     * (0.18215 for SD 1.x), 1 for latentflow's own models, whose recipe needs none.
     */
    public double scalingFactor() {
        return network.scalingFactor();
    }

    /** What is subtracted from the posterior mean before scaling: diffusers' {@code shift_factor}, else 0. */
    public double shiftFactor() {
        return network.shiftFactor();
    }

    /** What this version's latents mean ({@link LatentSpace}): shared by versions whose latents are identical. */
    public String latentSpace() {
        return network.latentSpace();
    }

    public Device device() {
        return manager.getDevice();
    }

    /** A new encoder for the calling thread; not thread-safe, close it when the thread is done. */
    public LatentEncoder newEncoder() {
        return network.newEncoder(manager);
    }

    /**
     * A new encoder of the posterior's moments for the calling thread: 2c channels per image, the mean then the
     * log-variance (clamped to [-30, 20] as diffusers' DiagonalGaussianDistribution does), neither shifted nor scaled.
     *
     * @throws UnsupportedOperationException for a bounded model, which has no posterior
     */
    public LatentEncoder newMomentsEncoder() {
        return network.newMomentsEncoder(manager);
    }

    /** A new decoder for the calling thread; not thread-safe, close it when the thread is done. */
    public LatentDecoder newDecoder() {
        return network.newDecoder(manager);
    }

    @Override
    public void close() {
        manager.close();
    }

    /** How many GPUs the PyTorch engine sees (0 with the CPU native library, or on a host without one). */
    public static int visibleGpuCount() {
        return Engine.getEngine(ENGINE).getGpuCount();
    }

    /** The first GPU when the engine sees one, else CPU. */
    public static Device defaultDevice() {
        return visibleGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    private static NDManager newManager(Device device) {
        return Engine.getEngine(ENGINE).newBaseManager(device);
    }
}
