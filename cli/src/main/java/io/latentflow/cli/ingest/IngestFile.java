package io.latentflow.cli.ingest;

import java.nio.file.Path;

/**
 * A file to ingest (an image, or a webdataset shard of them) and the folder it was found in ({@link IngestInputs}): its
 * image id names it by its path relative to that folder, and its source is that folder's name. A file given by itself has no folder: its name is its path, its parent folder's name
 * its source.
 *
 * @param folder the ingested folder, or null for a file given by itself
 * @param label  the class of its images ({@code --labels-from-folders}), or null
 */
public record IngestFile(Path file, Path folder, String label) {

    public IngestFile(Path file, Path folder) {
        this(file, folder, null);
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
