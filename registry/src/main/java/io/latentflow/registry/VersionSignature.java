package io.latentflow.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.model.store.ModelDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * An Ed25519 signature of a version's manifest file, byte for byte, and the id of the key that made it; stored as
 * {@value #FILE_NAME} beside the manifest. The manifest lists every file with its sha256 and names the version, so the
 * signature covers the weights and cannot be moved to another version.
 */
public record VersionSignature(String keyId, byte[] signature) {

    public static final String FILE_NAME = ModelDirectory.SIGNATURE;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Signs the manifest's bytes with the private key; {@code keyId} names its public key. */
    public static VersionSignature sign(byte[] manifest, PrivateKey key, String keyId) {
        try {
            Signature signer = Signature.getInstance(SigningKeys.ALGORITHM);
            signer.initSign(key);
            signer.update(manifest);
            return new VersionSignature(keyId, signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with key " + keyId + ": " + e.getMessage(), e);
        }
    }

    /** Whether this signature of {@code manifest} was made by {@code key}. */
    boolean verifies(byte[] manifest, PublicKey key) {
        try {
            Signature verifier = Signature.getInstance(SigningKeys.ALGORITHM);
            verifier.initVerify(key);
            verifier.update(manifest);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("algorithm", SigningKeys.ALGORITHM);
        node.put("keyId", keyId);
        node.put("signature", Base64.getEncoder().encodeToString(signature));
        return (node.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Throws saying what is wrong when the bytes are not a signature file of this kind. */
    static VersionSignature fromJson(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (!SigningKeys.ALGORITHM.equals(node.path("algorithm").asText())) {
                throw new IllegalArgumentException("its algorithm is '" + node.path("algorithm").asText()
                        + "', not " + SigningKeys.ALGORITHM);
            }
            String keyId = node.path("keyId").asText("");
            if (keyId.isEmpty()) {
                throw new IllegalArgumentException("it names no keyId");
            }
            return new VersionSignature(keyId, Base64.getDecoder().decode(node.path("signature").asText("")));
        } catch (IOException e) {
            throw new IllegalArgumentException("it is not JSON: " + e.getMessage(), e);
        }
    }
}
