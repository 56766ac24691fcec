package io.latentflow.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;

/** A private key that signs versions at publication, and the id of its public key that verifiers look it up by. */
public record SigningKey(PrivateKey key, String keyId) {

    /**
     * The key of a {@code <keyId>.key} file made by {@code models keygen}; its id is the file's name (the JDK cannot
     * derive an Ed25519 public key from a PKCS#8 private key, so the name carries it). When {@code <keyId>.pub} lies
     * beside it, the pair is checked to belong together, so a renamed file cannot sign under another key's id.
     */
    public static SigningKey read(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (!name.endsWith(SigningKeys.PRIVATE_SUFFIX) || name.length() == SigningKeys.PRIVATE_SUFFIX.length()) {
            throw new IllegalArgumentException("--sign-key " + file + " is not named '<keyId>"
                    + SigningKeys.PRIVATE_SUFFIX + "' as 'latentflow models keygen' names private keys");
        }
        String keyId = name.substring(0, name.length() - SigningKeys.PRIVATE_SUFFIX.length());
        SigningKey key = new SigningKey(SigningKeys.readPrivate(file), keyId);
        Path publicFile = file.resolveSibling(keyId + SigningKeys.PUBLIC_SUFFIX);
        if (Files.isRegularFile(publicFile)) {
            PublicKey publicKey = SigningKeys.readPublic(publicFile);
            byte[] probe = keyId.getBytes(StandardCharsets.UTF_8);
            if (!SigningKeys.keyId(publicKey).equals(keyId)
                    || !VersionSignature.sign(probe, key.key(), keyId).verifies(probe, publicKey)) {
                throw new IllegalArgumentException("--sign-key " + file + " and " + publicFile + " are not one key"
                        + " pair named by its key id: use the two files 'latentflow models keygen' wrote as they are");
            }
        }
        return key;
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
