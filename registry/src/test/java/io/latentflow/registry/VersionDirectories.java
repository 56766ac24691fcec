package io.latentflow.registry;

import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Model version directories to publish in tests: the shipped model, and the same weights under other version ids. */
final class VersionDirectories {

    private static final Path SHIPPED = Path.of(System.getProperty("latentflow.home"),
            "model/src/main/resources/io/latentflow/model/default");

    private VersionDirectories() {
    }

    static Path copyOfShipped(Path dir) throws Exception {
        Files.createDirectories(dir);
        Manifest manifest = Manifest.fromJson(Files.readString(SHIPPED.resolve(ModelDirectory.MANIFEST)));
        for (Manifest.FileEntry file : manifest.files()) {
            Files.copy(SHIPPED.resolve(file.path()), dir.resolve(file.path()));
        }
        Files.copy(SHIPPED.resolve(ModelDirectory.MANIFEST), dir.resolve(ModelDirectory.MANIFEST));
        return dir;
    }

    /** The same weights under another version id (its metrics say so), with a manifest that matches. */
    static Path anotherVersion(Path from, Path dir, String version) throws Exception {
        copyOfShipped(dir);
        Files.writeString(dir.resolve(ModelDirectory.METRICS), Files.readString(from.resolve(ModelDirectory.METRICS))
                .replace(ModelDirectory.verify(from).version(), version));
        Manifest old = Manifest.fromJson(Files.readString(from.resolve(ModelDirectory.MANIFEST)));
        List<Manifest.FileEntry> files = new ArrayList<>();
        for (Manifest.FileEntry file : old.files()) {
            Path path = dir.resolve(file.path());
            files.add(new Manifest.FileEntry(file.path(), Files.size(path), ModelDirectory.sha256(path)));
        }
        Files.writeString(dir.resolve(ModelDirectory.MANIFEST), new Manifest(old.formatVersion(), version, files)
                .toJson());
        return dir;
    }
}
