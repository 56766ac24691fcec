package io.latentflow.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.model.store.ModelDirectory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A checkpoint directory: {@code checkpoint.json} plus one binary file per array group (weights, EMA weights, Adam
 * moments, ...). A new checkpoint replaces the old one only once it is completely written.
 */
final class Checkpoint {

    static final String STATE = "checkpoint.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One binary file: arrays of some parameters, in their order. */
    record Part(String fileName, NamedParameters parameters, float[][] values) {
    }

    private Checkpoint() {
    }

    static void write(Path dir, CheckpointState state, List<Part> parts) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + dir.getFileName() + ".partial-" + UUID.randomUUID());
        Files.createDirectory(staging);
        try {
            for (Part part : parts) {
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                        Files.newOutputStream(staging.resolve(part.fileName())), 1 << 16))) {
                    part.parameters().write(out, part.values());
                }
            }
            // The state goes last: a checkpoint with a state file is complete.
            Files.writeString(staging.resolve(STATE), JSON.writeValueAsString(state));
            Path old = null;
            if (Files.exists(dir)) {
                old = parent.resolve("." + dir.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(dir, old);
            }
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, dir);
            }
            if (old != null) {
                ModelDirectory.deleteRecursively(old);
            }
        } finally {
            if (Files.exists(staging)) {
                ModelDirectory.deleteRecursively(staging);
            }
        }
    }

    static CheckpointState readState(Path dir) throws IOException {
        Path file = dir.resolve(STATE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("cannot resume from " + dir + ": no " + STATE + " there; pass the"
                    + " checkpoint directory a training run wrote (by default <out>-checkpoint)");
        }
        try {
            return JSON.readValue(file.toFile(), CheckpointState.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resume from " + dir + ": " + STATE + " is unreadable ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Reads the arrays of each named file for its parameters. */
    static Map<String, float[][]> readParts(Path dir, Map<String, NamedParameters> files) throws IOException {
        Map<String, float[][]> values = new LinkedHashMap<>();
        for (Map.Entry<String, NamedParameters> file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("cannot resume from " + dir + ": " + file.getKey()
                        + " is missing (was the run started with another recipe?)");
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path),
                    1 << 16))) {
                values.put(file.getKey(), file.getValue().read(in, path.toString()));
            }
        }
        return values;
    }
}
