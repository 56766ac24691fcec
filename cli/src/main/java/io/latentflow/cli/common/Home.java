package io.latentflow.cli.common;

import java.nio.file.Files;
import java.nio.file.Path;

/** The project folder the launcher runs from: where the shipped sample images are. */
public final class Home {

    private Home() {
    }

    public static Path samples() {
        Path samples = Path.of(System.getProperty("latentflow.home", ".")).resolve("samples").toAbsolutePath();
        if (!Files.isDirectory(samples)) {
            throw new IllegalStateException("No sample images at " + samples
                    + ": run ./latentflow from the project folder, or pass --images DIR");
        }
        return samples;
    }
}
