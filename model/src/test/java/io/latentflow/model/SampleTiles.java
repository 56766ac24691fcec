package io.latentflow.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The project's sample tiles ({@code samples/<folder>/<source>_s<scale>_<tile>.jpg}) of chosen sources, for tests. */
public final class SampleTiles {

    public static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");

    private SampleTiles() {
    }

    /** Every tile of the given sources in {@code samples/<folder>}, in name order. */
    public static List<Path> of(String folder, String... sources) throws IOException {
        List<Path> files = new ArrayList<>();
        try (var listing = Files.list(SAMPLES.resolve(folder))) {
            listing.sorted().forEach(file -> {
                for (String source : sources) {
                    if (file.getFileName().toString().startsWith(source + "_s")) {
                        files.add(file);
                    }
                }
            });
        }
        return files;
    }
}
