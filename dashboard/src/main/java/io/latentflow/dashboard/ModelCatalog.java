package io.latentflow.dashboard;

import io.latentflow.connections.S3Settings;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.registry.ModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The model versions the dashboard could decode with: the one shipped with the project, and the versions under
 * {@code models/} in the bucket. Listing the bucket costs a request, so it is remembered for
 * {@value #LIST_EVERY_MS} ms. Thread-safe.
 */
final class ModelCatalog {

    private static final long LIST_EVERY_MS = 30_000;

    private final ModelStore store;
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
        this.store = s3 == null ? null : new ModelStore(s3);
        this.shipped = shippedVersion();
    }

    synchronized Listing list() {
        if (store != null && System.currentTimeMillis() >= nextListing) {
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

    private List<AvailableModel> listStored() throws IOException {
        return store.versions().stream().map(v -> new AvailableModel(v, store.uri(v))).toList();
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
