package io.latentflow.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 key files for signing model versions, with the JDK's own provider: the private key as PKCS#8 and the public
 * key as X.509 SubjectPublicKeyInfo, both PEM, named by the key id (a short hash of the public key), so a folder of
 * public keys is a folder of trusted signers.
 */
public final class SigningKeys {

    public static final String ALGORITHM = "Ed25519";
    public static final String PRIVATE_SUFFIX = ".key";
    public static final String PUBLIC_SUFFIX = ".pub";
    private static final String PRIVATE_PEM = "PRIVATE KEY";
    private static final String PUBLIC_PEM = "PUBLIC KEY";

    /** A key pair written by {@link #generate}. */
    public record Generated(String keyId, Path privateKey, Path publicKey) {
    }

    private SigningKeys() {
    }

    /**
     * Makes a key pair and writes {@code <keyId>.key} (owner read/write only, created so before a byte is written)
     * and {@code <keyId>.pub} in {@code dir}; never overwrites a key file.
     */
    public static Generated generate(Path dir) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM + " (Java 15 and later have it)", e);
        }
        String keyId = keyId(pair.getPublic());
        Files.createDirectories(dir);
        Path privateFile = dir.resolve(keyId + PRIVATE_SUFFIX);
        Path publicFile = dir.resolve(keyId + PUBLIC_SUFFIX);
        try {
            Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(privateFile + " exists already: key files are never overwritten", e);
        }
        Files.writeString(privateFile, pem(PRIVATE_PEM, pair.getPrivate().getEncoded()));
        Files.writeString(publicFile, pem(PUBLIC_PEM, pair.getPublic().getEncoded()));
        return new Generated(keyId, privateFile, publicFile);
    }

    /** The private key of a {@code .key} file; throws naming the file when it is not an Ed25519 PKCS#8 key. */
    public static PrivateKey readPrivate(Path file) throws IOException {
        try {
            return keyFactory().generatePrivate(new PKCS8EncodedKeySpec(decode(file, PRIVATE_PEM)));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException(file + " is not an " + ALGORITHM + " private key (PKCS#8, PEM or base64)"
                    + ": make one with 'latentflow models keygen --out DIR'", e);
        }
    }

    /** The public key of a {@code .pub} file; throws naming the file when it is not an Ed25519 X.509 key. */
    public static PublicKey readPublic(Path file) throws IOException {
        return publicKey(decode(file, PUBLIC_PEM), file.toString());
    }

    static PublicKey publicKey(byte[] x509, String source) {
        try {
            return keyFactory().generatePublic(new X509EncodedKeySpec(x509));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException(source + " is not an " + ALGORITHM + " public key (X.509"
                    + " SubjectPublicKeyInfo, PEM or base64)", e);
        }
    }

    /** The first 16 hex digits of the sha256 of the key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyFactory keyFactory() {
        try {
            return KeyFactory.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM + " (Java 15 and later have it)", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** PEM of the given type, or the bare base64 of the DER bytes. */
    private static byte[] decode(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        if (text.startsWith("-----BEGIN ")) {
            if (!text.startsWith(begin) || !text.endsWith(end)) {
                throw new IllegalArgumentException(file + " is not a PEM " + type + " (" + begin + " ... " + end + ")");
            }
            text = text.substring(begin.length(), text.length() - end.length());
        }
        try {
            return Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " is neither PEM nor base64: " + e.getMessage(), e);
        }
    }
}
