package io.latentflow.model.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.nn.Autoencoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Immutable model version directories: {@code encoder.params}, {@code decoder.params} (DJL block parameter format),
 * {@code config.json}, {@code metrics.json} and {@code manifest.json} with the size and sha256 of each of the others.
 * A directory is written once, completely or not at all, and verified in full before anything in it is used.
 */
public final class ModelDirectory {

    public static final String MANIFEST = "manifest.json";
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.json";
    /**
     * The signature of the manifest, when the version was signed: beside the manifest and not listed in it (it signs
     * the manifest's bytes, so the manifest cannot name it).
     */
    public static final String SIGNATURE = "manifest.sig.json";
    public static final String ENCODER_PARAMS = "encoder.params";
    public static final String DECODER_PARAMS = "decoder.params";
    public static final List<String> REQUIRED_FILES = List.of(ENCODER_PARAMS, DECODER_PARAMS, CONFIG, METRICS);

    private static final String IMMUTABLE_HINT = "model versions are immutable: restore the directory from where it"
            + " came from, or save the model as a new version";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelDirectory() {
    }

    /**
     * Writes a new model version into {@code dir}, which must not exist or be empty.
     *
     * @param version     the version id, or null to derive {@code <config short name>-<12 hex of the content hash>}
     * @param metricsJson a JSON object ({@code "{}"} when there are no metrics yet)
     * @return the manifest written
     */
    public static Manifest save(Autoencoder autoencoder, Path dir, String version, String metricsJson)
            throws IOException {
        return save(autoencoder, dir, version, metricsJson, Map.of());
    }

    /**
     * Like {@link #save(Autoencoder, Path, String, String)}, plus extra text files (e.g. {@code recipe.json}) that the
     * manifest lists and verifies like the others.
     *
     * @param extraFiles file name to content; names must be plain file names other than the standard ones
     */
    public static Manifest save(Autoencoder autoencoder, Path dir, String version, String metricsJson,
                                Map<String, String> extraFiles) throws IOException {
        requireExtraNames(extraFiles);
        if (version != null) {
            Manifest.requireSafeVersion(version);
        }
        requireJsonObject(metricsJson);
        return publish(dir, staging -> {
            autoencoder.saveParameters(staging.resolve(ENCODER_PARAMS), staging.resolve(DECODER_PARAMS));
            autoencoder.config().write(staging.resolve(CONFIG));
            Files.writeString(staging.resolve(METRICS), metricsJson);
            return writeExtras(staging, new ArrayList<>(REQUIRED_FILES), extraFiles);
        }, files -> version != null ? version
                : autoencoder.config().shortName() + "-" + contentHash(files).substring(0, 12));
    }

    /** Writes one file of a version into the staging folder. */
    public interface FileContent {
        void writeTo(Path file) throws IOException;
    }

    /**
     * Writes a new version whose files are made elsewhere (e.g. an imported checkpoint's weights), with the same
     * guarantees as {@link #save(Autoencoder, Path, String, String)}: complete or not at all, verified on load.
     *
     * @param version       the version id, or null to derive {@code <versionPrefix>-<12 hex of the content hash>}
     * @param files         file name to content, in manifest order; must include every {@link #REQUIRED_FILES} entry
     */
    public static Manifest saveFiles(Path dir, String version, String versionPrefix,
                                     Map<String, FileContent> files) throws IOException {
        for (String required : REQUIRED_FILES) {
            if (!files.containsKey(required)) {
                throw new IllegalArgumentException("a model version needs " + required);
            }
        }
        for (String name : files.keySet()) {
            new Manifest.FileEntry(name, 0, "0".repeat(64)); // rejects the names the manifest would reject
        }
        if (version != null) {
            Manifest.requireSafeVersion(version);
        }
        return publish(dir, staging -> {
            for (Map.Entry<String, FileContent> file : files.entrySet()) {
                file.getValue().writeTo(staging.resolve(file.getKey()));
            }
            return new ArrayList<>(files.keySet());
        }, written -> version != null ? version : versionPrefix + "-" + contentHash(written).substring(0, 12));
    }

    /**
     * Writes a copy of a saved version with files added (e.g. the reference profile of a model saved before profiles
     * existed) into {@code target}; {@code source} is verified first and left as it is. The copy keeps the version
     * id, which names the weights, and has a manifest of its own covering the added files.
     *
     * @param extraFiles file name to content; none may replace a file of the source
     */
    public static Manifest copyWith(Path source, Path target, Map<String, String> extraFiles) throws IOException {
        Manifest original = verify(source);
        requireExtraNames(extraFiles);
        for (String name : extraFiles.keySet()) {
            if (original.file(name).isPresent()) {
                throw new InvalidModelDirectoryException(source, name, "already in this version; "
                        + IMMUTABLE_HINT);
            }
        }
        return publish(target, staging -> {
            List<String> names = new ArrayList<>();
            for (Manifest.FileEntry entry : original.files()) {
                Files.copy(source.resolve(entry.path()), staging.resolve(entry.path()));
                names.add(entry.path());
            }
            return writeExtras(staging, names, extraFiles);
        }, files -> original.version());
    }

    /**
     * Writes a copy of a saved version whose {@code metrics.json} says more (e.g. the figures a promotion gate measured
     * after training) into {@code target}; {@code source} is verified first and left as it is. Metrics describe a
     * version, they do not name it: the copy keeps the version id, which names the weights, under a manifest of its own.
     */
    public static Manifest copyWithMetrics(Path source, Path target, String metricsJson) throws IOException {
        Manifest original = verify(source);
        requireJsonObject(metricsJson);
        return publish(target, staging -> {
            List<String> names = new ArrayList<>();
            for (Manifest.FileEntry entry : original.files()) {
                if (METRICS.equals(entry.path())) {
                    Files.writeString(staging.resolve(METRICS), metricsJson);
                } else {
                    Files.copy(source.resolve(entry.path()), staging.resolve(entry.path()));
                }
                names.add(entry.path());
            }
            return names;
        }, files -> original.version());
    }

    private interface StagedFiles {
        /** Writes the version's files into {@code staging}; returns their names in manifest order. */
        List<String> write(Path staging) throws IOException;
    }

    /** Writes a version beside {@code dir}, then moves it in one step, so a crash never leaves a half-written one. */
    private static Manifest publish(Path dir, StagedFiles content,
                                    Function<List<Manifest.FileEntry>, String> version)
            throws IOException {
        if (Files.exists(dir) && !isEmptyDirectory(dir)) {
            throw new InvalidModelDirectoryException(dir, null, "it already exists and is not empty; "
                    + IMMUTABLE_HINT);
        }
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + dir.getFileName() + ".partial-" + UUID.randomUUID());
        Files.createDirectory(staging);
        try {
            List<Manifest.FileEntry> files = new ArrayList<>();
            for (String name : content.write(staging)) {
                Path file = staging.resolve(name);
                files.add(new Manifest.FileEntry(name, Files.size(file), sha256(file)));
            }
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, version.apply(files), files);
            Files.writeString(staging.resolve(MANIFEST), manifest.toJson());
            if (Files.exists(dir)) {
                Files.delete(dir);
            }
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, dir);
            }
            return manifest;
        } finally {
            if (Files.exists(staging)) {
                deleteRecursively(staging);
            }
        }
    }

    private static void requireExtraNames(Map<String, String> extraFiles) {
        for (String name : extraFiles.keySet()) {
            if (REQUIRED_FILES.contains(name) || MANIFEST.equals(name)) {
                throw new IllegalArgumentException("extra file " + name + " would replace a standard file of the"
                        + " model directory: pick another name");
            }
            new Manifest.FileEntry(name, 0, "0".repeat(64)); // rejects the names the manifest would reject
        }
    }

    private static List<String> writeExtras(Path staging, List<String> names, Map<String, String> extraFiles)
            throws IOException {
        for (Map.Entry<String, String> extra : new TreeMap<>(extraFiles).entrySet()) {
            Files.writeString(staging.resolve(extra.getKey()), extra.getValue());
            names.add(extra.getKey());
        }
        return names;
    }

    /**
     * Checks that {@code dir} holds exactly the files its manifest lists, each with the listed size and sha256.
     *
     * @throws InvalidModelDirectoryException naming the first file that is missing, unlisted, truncated or modified
     */
    public static Manifest verify(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidModelDirectoryException(dir, null,
                    "no such directory; pass the directory a model version was saved to");
        }
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new InvalidModelDirectoryException(dir, MANIFEST, "missing: this is not a latentflow model"
                    + " directory, or it was copied incompletely; " + IMMUTABLE_HINT);
        }
        Manifest manifest;
        try {
            manifest = Manifest.fromJson(Files.readString(manifestFile));
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidModelDirectoryException(dir, MANIFEST, "unreadable (" + e.getMessage() + "); "
                    + IMMUTABLE_HINT, e);
        }
        for (String required : REQUIRED_FILES) {
            if (manifest.file(required).isEmpty()) {
                throw new InvalidModelDirectoryException(dir, required, "not listed in the manifest; "
                        + IMMUTABLE_HINT);
            }
        }
        for (Manifest.FileEntry entry : manifest.files()) {
            verifyFile(dir, entry);
        }
        Set<String> listed = new TreeSet<>();
        manifest.files().forEach(f -> listed.add(f.path()));
        listed.add(MANIFEST);
        listed.add(SIGNATURE);
        for (String present : fileNames(dir)) {
            if (!listed.contains(present)) {
                throw new InvalidModelDirectoryException(dir, present, "present but not listed in the manifest;"
                        + " remove it (nothing may be added to a saved version), or save a new version");
            }
        }
        return manifest;
    }

    private static void verifyFile(Path dir, Manifest.FileEntry entry) {
        Path file = PlainNames.resolve(dir, entry.path(), "manifest entry");
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelDirectoryException(dir, entry.path(), "missing (the manifest lists it); "
                    + IMMUTABLE_HINT);
        }
        try {
            long size = Files.size(file);
            if (size != entry.size()) {
                throw new InvalidModelDirectoryException(dir, entry.path(), (size < entry.size() ? "truncated" :
                        "longer than saved") + ": " + size + " bytes, the manifest says " + entry.size() + "; "
                        + IMMUTABLE_HINT);
            }
            String actual = sha256(file);
            if (!actual.equals(entry.sha256())) {
                throw new InvalidModelDirectoryException(dir, entry.path(), "modified or corrupted: sha256 is "
                        + actual + ", the manifest says " + entry.sha256() + "; " + IMMUTABLE_HINT);
            }
        } catch (IOException e) {
            throw new InvalidModelDirectoryException(dir, entry.path(), "cannot be read (" + e.getMessage() + ")",
                    e);
        }
    }

    /** Lowercase hex sha256 of a file's bytes. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String contentHash(List<Manifest.FileEntry> files) {
        MessageDigest digest = newSha256();
        files.stream().sorted(Comparator.comparing(Manifest.FileEntry::path))
                .forEach(f -> digest.update((f.path() + " " + f.sha256() + "\n").getBytes()));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    private static void requireJsonObject(String json) {
        try {
            if (json == null || !JSON.readTree(json).isObject()) {
                throw new IllegalArgumentException("metrics must be a JSON object, got: " + json);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metrics are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static List<String> fileNames(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list model directory " + dir, e);
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Deletes a directory tree; used for staging and temporary copies, never for a saved version. */
    public static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
