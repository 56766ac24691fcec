package io.latentflow.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The classpath of a local Flink cluster's processes: what a Flink distribution's {@code lib/} holds plus DJL (its
 * native library must load once per JVM, so it cannot come with each job). Taken from the launcher's own classpath
 * (cli/target/classpath.txt), less this project's modules and the libraries the job jar brings itself, so that a job
 * that runs here proves the job jar is complete.
 */
public final class ClusterClasspath {

    /** File-name prefixes of jars that belong to the job jar, not to the cluster. */
    static final List<String> JOB_JAR_LIBRARIES = List.of("latentflow-", "flink-connector-kafka-", "kafka-clients-",
            "flink-avro-", "avro-", "minio-");

    private ClusterClasspath() {
    }

    /** From the launcher classpath file under {@code home} (the project folder); fails if the CLI is not built. */
    public static String of(Path home) {
        return filter(launcher(home));
    }

    /**
     * The launcher's whole classpath (cli/target/classpath.txt unfiltered): what the cluster's Kafka and S3 processes
     * run on, since their main classes are in this project's infra module.
     */
    public static String launcher(Path home) {
        Path file = home.resolve("cli").resolve("target").resolve("classpath.txt");
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": build the project first (mvn package)", e);
        }
    }

    static String filter(String classpath) {
        return Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .filter(entry -> JOB_JAR_LIBRARIES.stream()
                        .noneMatch(prefix -> Path.of(entry).getFileName().toString().startsWith(prefix)))
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }
}
