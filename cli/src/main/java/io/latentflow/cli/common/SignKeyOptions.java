package io.latentflow.cli.common;

import io.latentflow.registry.SigningKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The private key that signs the model versions a command publishes ({@code models publish}, fine-tunes). */
public final class SignKeyOptions {

    @Option(names = "--sign-key", paramLabel = "KEY", description = "Sign the manifest of each version this publishes"
            + " with this private key ('<keyId>.key' from 'latentflow models keygen'); a service started with"
            + " --trusted-keys serves only versions signed by one of its keys.")
    public Path file;

    /** The key, read and checked now, so that a broken key is refused before anything is contacted or trained. */
    public Optional<SigningKey> read() throws IOException {
        return file == null ? Optional.empty() : Optional.of(SigningKey.read(file));
    }
}
