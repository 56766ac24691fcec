package io.latentflow.cli.replay;

import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.cli.stack.ServiceState;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.registry.ModelRegistry;
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
 * versions it serves.
 */
public final class ReplayModels {

    private ReplayModels() {
    }

    public static List<ModelLocation> resolve(List<String> names, PipelineStack pipeline, Path stateDir) throws IOException {
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
                    models.add(ModelLocation.of(Path.of(trimmed)));
                } else {
                    if (registry == null) {
                        registry = new ModelRegistry(pipeline.kafka(), pipeline.s3());
                    }
                    models.add(ModelLocation.of(downloaded(registry, trimmed, stateDir)));
                }
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
        return models;
    }

    private static Path downloaded(ModelRegistry registry, String version, Path stateDir) throws IOException {
        if (!registry.history().versions().containsKey(version)) {
            throw new IllegalArgumentException("model " + version + " is neither 'default', a model directory, nor a"
                    + " version in the registry (published: " + registry.history().versions().keySet() + ")");
        }
        Path dir = PlainNames.resolve(new ServiceState(stateDir.toAbsolutePath()).modelsDirectory(), version,
                "model version");
        if (Files.isRegularFile(dir.resolve(ModelDirectory.MANIFEST))) {
            try {
                ModelDirectory.verify(dir);
                return dir; // downloaded before, and still intact
            } catch (RuntimeException damaged) {
                // fetch it again below
            }
        }
        return registry.download(version, dir);
    }
}
