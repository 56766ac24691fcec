package io.latentflow.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;

/** A private key that signs versions at publication, and the id of its public key that verifiers look it up by. */
public record SigningKey(PrivateKey key, String keyId) {

    /**
     * The key of a {@code <keyId>.key} file made by {@code models keygen}; its id is the file's name (the public key
     * cannot be derived from a PKCS#8 Ed25519 key by the JDK, so the name carries it).
     */
    public static SigningKey read(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (!name.endsWith(SigningKeys.PRIVATE_SUFFIX) || name.length() == SigningKeys.PRIVATE_SUFFIX.length()) {
            throw new IllegalArgumentException("--sign-key " + file + " is not named '<keyId>"
                    + SigningKeys.PRIVATE_SUFFIX + "' as 'latentflow models keygen' names private keys");
        }
        return new SigningKey(SigningKeys.readPrivate(file),
                name.substring(0, name.length() - SigningKeys.PRIVATE_SUFFIX.length()));
    }

    /** Signs the manifest file's exact bytes. */
    VersionSignature sign(Path manifest) {
        try {
            return VersionSignature.sign(Files.readAllBytes(manifest), key, keyId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
