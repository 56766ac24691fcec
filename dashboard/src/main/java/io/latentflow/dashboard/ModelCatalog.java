package io.latentflow.dashboard;

import io.latentflow.connections.S3Settings;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model versions the dashboard could decode with: the one shipped with the project, and the versions under
 * {@code models/} in the bucket. Listing the bucket costs a request, so it is remembered for
 * {@value #LIST_EVERY_MS} ms. Thread-safe.
 */
final class ModelCatalog {

    private static final long LIST_EVERY_MS = 30_000;

    private final S3Settings s3;
    private final String shipped;
    private List<AvailableModel> stored = List.of();
    private String problem;
    private long nextListing;

    /**
     * A model version and where it is.
     *
     * @param location {@code shipped} or the {@code s3://} folder of the version
     */
    record AvailableModel(String version, String location) {
    }

    /** What could be decoded with, and why the bucket could not be listed (null when it could, or none was given). */
    record Listing(List<AvailableModel> models, String problem) {
    }

    /** @param s3 the bucket holding promoted versions; null when there is none */
    ModelCatalog(S3Settings s3) {
        this.s3 = s3;
        this.shipped = shippedVersion();
    }

    synchronized Listing list() {
        if (s3 != null && System.currentTimeMillis() >= nextListing) {
            nextListing = System.currentTimeMillis() + LIST_EVERY_MS;
            try {
                stored = listStored();
                problem = null;
            } catch (IOException e) {
                problem = e.getMessage();
            }
        }
        List<AvailableModel> all = new ArrayList<>();
        if (shipped != null) {
            all.add(new AvailableModel(shipped, "shipped"));
        }
        stored.stream().filter(m -> !m.version().equals(shipped)).forEach(all::add);
        return new Listing(all, problem);
    }

    /** The first path segment of every file under {@code models/}: a handful of files per version. */
    private List<AvailableModel> listStored() throws IOException {
        MinioClient client = s3.newClient();
        Set<String> versions = new TreeSet<>();
        String prefix = ReconstructionModels.MODELS_PREFIX;
        try {
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(s3.bucket()).prefix(prefix)
                    .recursive(true).build())) {
                String relative = result.get().objectName().substring(prefix.length());
                int slash = relative.indexOf('/');
                if (slash > 0) {
                    versions.add(relative.substring(0, slash));
                }
            }
        } catch (Exception e) {
            throw new IOException("cannot list " + s3.uri(prefix) + ": " + e.getMessage(), e);
        }
        return versions.stream().map(v -> new AvailableModel(v, s3.uri(prefix + v + "/"))).toList();
    }

    /** The shipped model's version from its manifest, without loading the model; null when none can be read. */
    private static String shippedVersion() {
        String manifest = ServingModel.DEFAULT_RESOURCE_FOLDER + ModelDirectory.MANIFEST;
        try (InputStream in = ModelCatalog.class.getClassLoader().getResourceAsStream(manifest)) {
            return in == null ? null : Manifest.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8)).version();
        } catch (IOException | IllegalArgumentException e) {
            return null; // loading it for a reconstruction reports what is wrong with it
        }
    }
}
