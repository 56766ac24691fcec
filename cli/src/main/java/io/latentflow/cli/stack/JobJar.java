package io.latentflow.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The job jar {@code mvn package} builds in this project (flink-jobs/target/latentflow-flink-jobs-VERSION-job.jar). */
final class JobJar {

    private JobJar() {
    }

    static Path built() {
        Path target = Path.of(System.getProperty("latentflow.home", ".")).toAbsolutePath()
                .resolve("flink-jobs").resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("latentflow-flink-jobs-.*-job\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no job jar in " + target + ": build it with"
                            + " 'mvn package' or give --job-jar"));
        } catch (IOException e) {
            throw new UncheckedIOException("no job jar: " + target + " cannot be listed (build with 'mvn package')",
                    e);
        }
    }
}
