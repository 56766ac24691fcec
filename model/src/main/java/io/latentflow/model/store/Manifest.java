package io.latentflow.model.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code manifest.json} of a model directory: the model version and the size and sha256 of every other file in it.
 *
 * @param formatVersion layout version of the directory, {@value #FORMAT_VERSION} today
 * @param version       model version id; safe to use as a path segment (letters, digits, '.', '_', '-')
 * @param files         every file of the directory except the manifest itself
 */
public record Manifest(int formatVersion, String version, List<FileEntry> files) {

    public static final int FORMAT_VERSION = 1;

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One file: a plain name inside the directory (never a path), its size in bytes and its lowercase hex sha256. */
    public record FileEntry(String path, long size, String sha256) {
        public FileEntry {
            if (!PlainNames.isPlain(path)) {
                throw new IllegalArgumentException("manifest lists file '" + path
                        + "': only plain file names (letters, digits, '.', '_', '-') are allowed");
            }
            if (size < 0) {
                throw new IllegalArgumentException("manifest lists " + path + " with negative size " + size);
            }
            if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
                throw new IllegalArgumentException("manifest lists " + path + " with sha256 '" + sha256
                        + "': expected 64 lowercase hex digits");
            }
        }
    }

    public Manifest {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("manifest formatVersion is " + formatVersion + ", this build reads "
                    + FORMAT_VERSION + ": use a latentflow release that matches the model");
        }
        requireSafeVersion(version);
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("manifest lists no files");
        }
        files = List.copyOf(files);
        if (files.stream().map(FileEntry::path).distinct().count() != files.size()) {
            throw new IllegalArgumentException("manifest lists a file more than once: " + files);
        }
    }

    public static void requireSafeVersion(String version) {
        if (!PlainNames.isPlain(version)) {
            throw new IllegalArgumentException("model version '" + version + "' is not allowed: use 1-128 letters,"
                    + " digits, '.', '_' or '-', starting with a letter or digit (it becomes part of storage paths)");
        }
    }

    public Optional<FileEntry> file(String name) {
        return files.stream().filter(f -> f.path().equals(name)).findFirst();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise manifest " + this, e);
        }
    }

    public static Manifest fromJson(String json) {
        try {
            return JSON.readValue(json, Manifest.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException(cause.getMessage(), e);
        }
    }
}
