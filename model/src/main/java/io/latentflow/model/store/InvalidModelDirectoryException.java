package io.latentflow.model.store;

import java.nio.file.Path;

/** A model directory failed verification or cannot be written; the message names the file and what to do. */
public final class InvalidModelDirectoryException extends RuntimeException {

    private final Path directory;
    private final String file;

    public InvalidModelDirectoryException(Path directory, String file, String message) {
        this(directory, file, message, null);
    }

    public InvalidModelDirectoryException(Path directory, String file, String message, Throwable cause) {
        super("model directory " + directory + (file == null ? "" : ", file " + file) + ": " + message, cause);
        this.directory = directory;
        this.file = file;
    }

    public Path directory() {
        return directory;
    }

    /** The offending file's name, or null when the problem is the directory itself. */
    public String file() {
        return file;
    }
}
