package io.latentflow.e2e;

import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Model version directories for registry tests: the shipped default model under new version ids. */
final class PublishedVersions {

    static final Path SHIPPED = Path.of(System.getProperty("latentflow.home"),
            "model/src/main/resources/io/latentflow/model/default");

    private PublishedVersions() {
    }

    /**
     * The shipped model's files under another version id (its metrics and reference profile say so), with a manifest
     * that matches: a valid version to publish, whose latents are the default model's.
     */
    static Path shippedAs(String version, Path dir) throws Exception {
        Files.createDirectories(dir);
        Manifest shipped = Manifest.fromJson(Files.readString(SHIPPED.resolve(ModelDirectory.MANIFEST)));
        List<Manifest.FileEntry> files = new ArrayList<>();
        for (Manifest.FileEntry file : shipped.files()) {
            Path target = dir.resolve(file.path());
            if (file.path().equals(ModelDirectory.METRICS) || file.path().equals(ReferenceProfile.FILE_NAME)) {
                Files.writeString(target, Files.readString(SHIPPED.resolve(file.path()))
                        .replace(shipped.version(), version));
            } else {
                Files.copy(SHIPPED.resolve(file.path()), target);
            }
            files.add(new Manifest.FileEntry(file.path(), Files.size(target), ModelDirectory.sha256(target)));
        }
        Files.writeString(dir.resolve(ModelDirectory.MANIFEST),
                new Manifest(shipped.formatVersion(), version, files).toJson());
        return dir;
    }
}
