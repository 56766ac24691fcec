package io.latentflow.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A file to ingest and the folder it was found in: its image id names it by its path relative to that folder, and its
 * source is that folder's name. A file given by itself has no folder: its name is its path, its parent folder's name
 * its source.
 *
 * @param folder the ingested folder, or null for a file given by itself
 * @param label  the class of its images ({@code --labels-from-folders}), or null
 */
public record IngestFile(Path file, Path folder, String label) {

    public IngestFile(Path file, Path folder) {
        this(file, folder, null);
    }

    /**
     * The files of {@code paths}: each folder's regular files in name order, less those with a name a writer uses while
     * writing ({@link FilesBeingWritten#hasInProgressName}); each file as given.
     */
    public static List<IngestFile> of(List<Path> paths) {
        List<IngestFile> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                io.latentflow.imaging.ImageFolders.files(path).stream()
                        .filter(file -> !FilesBeingWritten.hasInProgressName(file))
                        .forEach(file -> files.add(new IngestFile(file, path)));
            } else {
                files.add(new IngestFile(path, null));
            }
        }
        return files;
    }

    /** A webdataset shard: its samples are sent, each as an image with its caption and metadata. */
    boolean isShard() {
        return IngestSidecars.isShard(file.getFileName().toString());
    }

    /** The path its image id names. */
    Path relativePath() {
        return folder == null ? file.getFileName() : folder.relativize(file);
    }

    /** Its folder's name (a file given by itself: its parent folder's), "files" when there is none. */
    String defaultSource() {
        Path named = folder != null ? folder.toAbsolutePath().normalize() : file.toAbsolutePath().getParent();
        return named == null || named.getFileName() == null ? "files" : named.getFileName().toString();
    }
}
