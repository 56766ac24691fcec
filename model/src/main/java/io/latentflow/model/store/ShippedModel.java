package io.latentflow.model.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A model version shipped inside the jar as a classpath resource folder with its manifest. */
public final class ShippedModel {

    private ShippedModel() {
    }

    /**
     * Copies the files of the model under {@code resourceFolder} (e.g. {@code io/latentflow/model/default/}) into a new
     * temporary directory, so that it can be verified and loaded like any other version.
     *
     * @return the temporary directory (the caller deletes it), or empty when no manifest is shipped there
     */
    public static Optional<Path> extract(ClassLoader loader, String resourceFolder) throws IOException {
        String folder = resourceFolder.endsWith("/") ? resourceFolder : resourceFolder + "/";
        String manifestJson;
        try (InputStream in = loader.getResourceAsStream(folder + ModelDirectory.MANIFEST)) {
            if (in == null) {
                return Optional.empty();
            }
            manifestJson = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Path target = Files.createTempDirectory("latentflow-shipped-model-");
        Files.writeString(target.resolve(ModelDirectory.MANIFEST), manifestJson);
        Manifest manifest;
        try {
            manifest = Manifest.fromJson(manifestJson);
        } catch (IllegalArgumentException e) {
            // Leave it to verification to report the unreadable manifest by name.
            return Optional.of(target);
        }
        for (Manifest.FileEntry entry : manifest.files()) {
            try (InputStream in = loader.getResourceAsStream(folder + entry.path())) {
                if (in != null) {
                    Files.copy(in, target.resolve(entry.path()));
                }
            }
        }
        return Optional.of(target);
    }
}
