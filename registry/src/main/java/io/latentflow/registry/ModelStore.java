package io.latentflow.registry;

import io.latentflow.connections.S3Settings;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.store.PlainNames;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The files of model versions in object storage, under {@code models/<version>/}: uploaded with the manifest last (a
 * version whose manifest is there is complete), downloaded and verified against the manifest's sha256 sums. The
 * registry publishes through it; every encoder subtask and the dashboard download through it, with no Kafka client of
 * their own. The {@code models/} layout in object storage is written and read here only.
 */
public final class ModelStore {

    static final String PREFIX = "models/";

    private final S3Settings s3;
    private final MinioClient storage;

    public ModelStore(S3Settings s3) {
        this.s3 = s3;
        this.storage = s3.newClient();
    }

    /** Uploads the files {@code manifest} lists, then the manifest's signature if any, then the manifest itself. */
    void upload(Path dir, Manifest manifest, Optional<VersionSignature> signature) throws IOException {
        for (Manifest.FileEntry file : manifest.files()) {
            upload(dir.resolve(file.path()), key(manifest.version(), file.path()));
        }
        if (signature.isPresent()) {
            put(signature.get().toJson(), key(manifest.version(), VersionSignature.FILE_NAME));
        }
        upload(dir.resolve(ModelDirectory.MANIFEST), key(manifest.version(), ModelDirectory.MANIFEST));
    }

    /**
     * Downloads a published version into {@code dir} and verifies it there.
     *
     * @throws IllegalArgumentException naming the file that is missing or whose checksum differs (a tampered or
     *                                  incomplete version)
     */
    public Path download(String version, Path dir) throws IOException {
        return download(version, dir, TrustedKeys.NOT_CHECKED);
    }

    /**
     * {@link #download(String, Path)} of a version whose manifest is signed by one of {@code trusted}: the signature
     * is checked against the manifest's bytes before any other file is fetched, and the files against the manifest.
     *
     * @throws TrustedKeys.UntrustedVersionException when the version is unsigned, signed by an untrusted key, or its
     *                                               manifest is not the one that was signed
     */
    public Path download(String version, Path dir, TrustedKeys trusted) throws IOException {
        Manifest.requireSafeVersion(version); // it comes from a Kafka event and becomes part of object keys
        Files.createDirectories(dir);
        try {
            Path manifestFile = fetch(key(version, ModelDirectory.MANIFEST), dir.resolve(ModelDirectory.MANIFEST));
            Path signatureFile = dir.resolve(VersionSignature.FILE_NAME);
            if (trusted.checksSignatures()) {
                Optional<byte[]> signature = read(key(version, VersionSignature.FILE_NAME));
                trusted.check(version, Files.readAllBytes(manifestFile), signature);
                Files.write(signatureFile, signature.orElseThrow()); // so the copy can be checked again offline
            } else {
                Files.deleteIfExists(signatureFile); // not read, so a file left there would vouch for nothing
            }
            Manifest manifest = Manifest.fromJson(Files.readString(manifestFile));
            for (Manifest.FileEntry file : manifest.files()) {
                fetch(key(version, file.path()), PlainNames.resolve(dir, file.path(), "manifest entry"));
            }
        } catch (ErrorResponseException e) {
            throw new IllegalArgumentException("model version " + version + " is not (completely) in " + uri(version)
                    + ": " + e.getMessage(), e);
        }
        ModelDirectory.verify(dir);
        return dir;
    }

    /**
     * {@link TrustedKeys#check} of a published version as it is stored, its manifest's bytes against its signature,
     * fetching nothing else.
     *
     * @throws TrustedKeys.UntrustedVersionException saying why the version would not be served
     */
    public void checkSignature(String version, TrustedKeys trusted) throws IOException {
        Manifest.requireSafeVersion(version);
        try {
            byte[] manifest = read(key(version, ModelDirectory.MANIFEST)).orElseThrow(() ->
                    new IllegalArgumentException("model version " + version + " has no manifest in " + uri(version)));
            trusted.check(version, manifest, read(key(version, VersionSignature.FILE_NAME)));
        } catch (ErrorResponseException e) {
            throw new IOException("cannot read " + uri(version) + ": " + e.getMessage(), e);
        }
    }

    /**
     * One file of a published version, checked against the version's manifest; empty when the manifest does not list
     * it. Throws when the version is not published or the file's checksum differs.
     */
    public Optional<Path> file(String version, String name, Path dir) throws IOException {
        try {
            Path manifestFile = fetch(key(version, ModelDirectory.MANIFEST), dir.resolve(ModelDirectory.MANIFEST));
            Optional<Manifest.FileEntry> entry = Manifest.fromJson(Files.readString(manifestFile)).file(name);
            if (entry.isEmpty()) {
                return Optional.empty();
            }
            Path file = fetch(key(version, name), PlainNames.resolve(dir, name, "model file"));
            if (!ModelDirectory.sha256(file).equals(entry.get().sha256())) {
                throw new IllegalArgumentException(uri(version) + name + " differs from its manifest's sha256: the"
                        + " version was changed after it was published");
            }
            return Optional.of(file);
        } catch (ErrorResponseException e) {
            throw new IllegalArgumentException("model version " + version + " is not (completely) in " + uri(version)
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The versions that have files under {@code models/}, by name (a listing of a handful of files per version; a
     * version whose upload is under way is listed too, and {@link #download} tells it apart).
     */
    public SortedSet<String> versions() throws IOException {
        SortedSet<String> versions = new TreeSet<>();
        try {
            for (Result<Item> result : storage.listObjects(ListObjectsArgs.builder().bucket(s3.bucket()).prefix(PREFIX)
                    .recursive(true).build())) {
                String relative = result.get().objectName().substring(PREFIX.length());
                int slash = relative.indexOf('/');
                if (slash > 0) {
                    versions.add(relative.substring(0, slash));
                }
            }
        } catch (Exception e) {
            throw new IOException("cannot list " + s3.uri(PREFIX) + ": " + e.getMessage(), e);
        }
        return versions;
    }

    /** {@code s3://bucket/models/<version>/}. */
    public String uri(String version) {
        return s3.uri(PREFIX + version + "/");
    }

    static String key(String version, String file) {
        return PREFIX + version + "/" + file;
    }

    private void upload(Path file, String key) throws IOException {
        try {
            storage.uploadObject(UploadObjectArgs.builder().bucket(s3.bucket()).object(key)
                    .filename(file.toString()).build());
        } catch (Exception e) {
            throw new IOException("could not upload " + file + " to " + s3.uri(key) + ": " + e.getMessage(), e);
        }
    }

    private void put(byte[] bytes, String key) throws IOException {
        try {
            storage.putObject(PutObjectArgs.builder().bucket(s3.bucket()).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
        } catch (Exception e) {
            throw new IOException("could not upload " + s3.uri(key) + ": " + e.getMessage(), e);
        }
    }

    /** The object's bytes; empty when there is no such object. */
    private Optional<byte[]> read(String key) throws IOException, ErrorResponseException {
        try (InputStream in = storage.getObject(GetObjectArgs.builder().bucket(s3.bucket()).object(key).build())) {
            return Optional.of(in.readAllBytes());
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw e;
        } catch (Exception e) {
            throw new IOException("could not download " + s3.uri(key) + ": " + e.getMessage(), e);
        }
    }

    private Path fetch(String key, Path target) throws IOException, ErrorResponseException {
        try (InputStream in = storage.getObject(GetObjectArgs.builder().bucket(s3.bucket()).object(key).build())) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (ErrorResponseException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("could not download " + s3.uri(key) + ": " + e.getMessage(), e);
        }
    }
}
