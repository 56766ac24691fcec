package io.latentflow.cli.train;

import io.latentflow.model.store.InvalidModelDirectoryException;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A finished ablation run kept as its record: the model directory's manifest.json and metrics.json, without the
 * weights. Everything the table shows comes from metrics.json (its figures, the curve, the per-image values of the
 * intervals), so a few kilobytes per run keep an ablation tabulable after its weights are gone, and seeds trained on
 * different days can be tabulated together. The manifest's sha256 of metrics.json guards the record.
 */
final class AblationRecord {

    static final Set<String> FILES = Set.of(ModelDirectory.MANIFEST, ModelDirectory.METRICS);

    private AblationRecord() {
    }

    /** Whether {@code dir} holds exactly a record's files. */
    static boolean isRecord(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        Set<String> names = new TreeSet<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.forEach(entry -> names.add(entry.getFileName().toString()));
        }
        return names.equals(FILES);
    }

    /** Checks metrics.json against the manifest's size and sha256 of it; throws naming the file when they differ. */
    static void verify(Path dir) throws IOException {
        Manifest manifest;
        try {
            manifest = Manifest.fromJson(Files.readString(dir.resolve(ModelDirectory.MANIFEST)));
        } catch (IllegalArgumentException e) {
            throw new InvalidModelDirectoryException(dir, ModelDirectory.MANIFEST, "unreadable (" + e.getMessage()
                    + ")", e);
        }
        Manifest.FileEntry metrics = manifest.file(ModelDirectory.METRICS).orElseThrow(() ->
                new InvalidModelDirectoryException(dir, ModelDirectory.METRICS, "not listed in the manifest"));
        Path file = dir.resolve(ModelDirectory.METRICS);
        if (Files.size(file) != metrics.size() || !ModelDirectory.sha256(file).equals(metrics.sha256())) {
            throw new InvalidModelDirectoryException(dir, ModelDirectory.METRICS, "differs from the run's manifest:"
                    + " the record was edited after training");
        }
    }
}
