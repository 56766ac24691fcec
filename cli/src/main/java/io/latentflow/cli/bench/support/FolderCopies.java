package io.latentflow.cli.bench.support;

import io.latentflow.imaging.ImageFolders;
import io.latentflow.model.store.ModelDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies of one image folder under distinct folder names, so that a benchmark can stream it several times as
 * distinct images (an image's id comes from its folder and file name) and measure a long steady state.
 */
public final class FolderCopies implements AutoCloseable {

    private final Path root;
    private final List<Path> folders = new ArrayList<>();

    /** Copies {@code folder} {@code copies} times under a new temporary folder, which {@link #close} deletes. */
    public static FolderCopies of(Path folder, int copies) throws IOException {
        return new FolderCopies(folder, copies);
    }

    FolderCopies(Path folder, int copies) throws IOException {
        if (copies < 1) {
            throw new IllegalArgumentException("at least one copy is needed (--repeat, --copies), got " + copies);
        }
        root = Files.createTempDirectory("latentflow-bench-");
        for (int copy = 0; copy < copies; copy++) {
            Path target = Files.createDirectories(root.resolve(folder.getFileName() + "-" + copy));
            for (Path file : ImageFolders.files(folder)) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
            folders.add(target);
        }
    }

    public List<Path> folders() {
        return folders;
    }

    @Override
    public void close() throws IOException {
        ModelDirectory.deleteRecursively(root);
    }
}
