package io.latentflow.cli.replay;

import io.latentflow.cli.stack.ServiceState;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.store.PlainNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The models a replay compares, as a user names them: {@code default}, a model version directory, or a version
 * published in the registry, downloaded (and verified) once into the folder where {@code latentflow run} keeps the
 * versions it serves. With trusted keys, a directory or a version is used only when one of them signed it (the shipped
 * default is part of the program, as trusted as the code that runs it).
 */
public final class ReplayModels {

    private ReplayModels() {
    }

    public static List<ModelLocation> resolve(List<String> names, KafkaSettings kafka, S3Settings s3, Path stateDir,
                                              TrustedKeys trusted) throws IOException {
        if (names.isEmpty() || names.size() > 2) {
            throw new IllegalArgumentException("--models takes one model or two (A,B), got " + names);
        }
        List<ModelLocation> models = new ArrayList<>();
        ModelRegistry registry = null;
        try {
            for (String name : names) {
                String trimmed = name.trim();
                if (ModelLocation.DEFAULT_NAME.equals(trimmed)) {
                    models.add(ModelLocation.DEFAULT);
                } else if (Files.isDirectory(Path.of(trimmed))) {
                    trusted.verify(Path.of(trimmed));
                    models.add(ModelLocation.of(Path.of(trimmed)));
                } else {
                    if (registry == null) {
                        registry = new ModelRegistry(kafka, s3);
                    }
                    models.add(ModelLocation.of(downloaded(registry, trimmed, stateDir, trusted)));
                }
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
        return models;
    }

    private static Path downloaded(ModelRegistry registry, String version, Path stateDir, TrustedKeys trusted)
            throws IOException {
        if (!registry.history().versions().containsKey(version)) {
            throw new IllegalArgumentException("model " + version + " is neither 'default', a model directory, nor a"
                    + " version in the registry (published: " + registry.history().versions().keySet() + ")");
        }
        Path dir = PlainNames.resolve(new ServiceState(stateDir.toAbsolutePath()).modelsDirectory(), version,
                "model version");
        if (Files.isRegularFile(dir.resolve(ModelDirectory.MANIFEST))) {
            try {
                trusted.verify(dir);
                return dir; // downloaded before, still intact, and signed when that is asked
            } catch (RuntimeException damaged) {
                // fetch it again below
            }
        }
        return registry.download(version, dir, trusted);
    }
}
