package io.latentflow.jobs.encode;

import ai.djl.Device;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.ModelDirectory;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which model version the encoder serves: {@code default} (the model shipped with the project, or
 * its untrained stand-in while none is shipped) or a model version directory. A string, not a
 * {@link Path}, so that it ships to task managers, which resolve it on their own file system.
 */
public record ModelLocation(String location) implements Serializable {

    public static final String DEFAULT_NAME = "default";
    public static final ModelLocation DEFAULT = new ModelLocation(DEFAULT_NAME);

    public ModelLocation {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("model location is blank: give \"" + DEFAULT_NAME
                    + "\" or the path of a model version directory");
        }
    }

    /** {@code "default"} or a directory path, as a user types it. */
    public static ModelLocation parse(String location) {
        return DEFAULT_NAME.equals(location) ? DEFAULT : new ModelLocation(location);
    }

    public static ModelLocation of(Path modelDirectory) {
        return new ModelLocation(modelDirectory.toAbsolutePath().toString());
    }

    public boolean isDefault() {
        return DEFAULT_NAME.equals(location);
    }

    /** Loads the model; the caller closes it. Throws with the location in its message when it cannot. */
    public ServingModel load() {
        return load(ServingModel.defaultDevice());
    }

    /** {@link #load()} onto {@code device}. */
    public ServingModel load(Device device) {
        return isDefault() ? ServingModel.loadDefault(device) : ServingModel.load(Path.of(location), device);
    }

    /**
     * The model's architecture without loading its weights, so a job can size its inputs (the
     * resolution must be a multiple of the downsampling factor) before any task starts.
     */
    public AutoencoderConfig config() {
        if (isDefault()) {
            return ServingModel.defaultConfig();
        }
        Path config = Path.of(location).resolve(ModelDirectory.CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("No model version at " + location + ": " + config
                    + " does not exist. Give a model version directory or \"" + DEFAULT_NAME + "\".");
        }
        try {
            return AutoencoderConfig.read(config);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the config of model " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return location;
    }
}
