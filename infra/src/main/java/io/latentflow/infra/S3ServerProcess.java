package io.latentflow.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The embedded S3 server as a process of its own ({@code cluster up --with-s3}): the objects of bucket B are plain
 * files under {@code <stateDir>/s3/B/}, the port and keys are the ones it is given, so that a restart after a SIGKILL
 * serves the same objects at the same address to clients that keep their keys. The secret comes from a file, never
 * from the command line (every user of the host can read that).
 */
public final class S3ServerProcess {

    private S3ServerProcess() {
    }

    /** Starts the server process and returns once it serves and the bucket exists. */
    public static Process start(Path stateDir, int port, String bucket, String accessKey, Path secretKeyFile,
                                String classpath, Duration timeout) throws IOException {
        return JavaProcess.startServer(stateDir, "s3", classpath, S3ServerProcess.class,
                List.of(stateDir.toAbsolutePath().toString(), Integer.toString(port), bucket, accessKey,
                        secretKeyFile.toAbsolutePath().toString()), timeout);
    }

    /** {@code STATE_DIR PORT BUCKET ACCESS_KEY SECRET_KEY_FILE READY_FILE}: serves until the process is stopped. */
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            throw new IllegalArgumentException("usage: S3ServerProcess STATE_DIR PORT BUCKET ACCESS_KEY SECRET_KEY_FILE"
                    + " READY_FILE");
        }
        String secretKey = Files.readString(Path.of(args[4])).strip();
        EmbeddedS3 s3 = EmbeddedS3.start(Path.of(args[0]), args[2], Integer.parseInt(args[1]), args[3], secretKey);
        JavaProcess.ready(Path.of(args[5]), s3);
    }
}
