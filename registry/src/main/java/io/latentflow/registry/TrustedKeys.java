package io.latentflow.registry;

import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The public keys whose signatures make a model version servable, read once from a folder of {@code .pub} files and
 * carried as their bytes (so the encode job's functions take them to every TaskManager). {@link #NOT_CHECKED} trusts
 * every version whose files match its manifest, as before signatures existed.
 */
public final class TrustedKeys implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Signatures are not checked: a version serves when its files match its manifest. */
    public static final TrustedKeys NOT_CHECKED = new TrustedKeys(Map.of(), "");

    /** A version that must not be served; the message says why and what to do. */
    public static final class UntrustedVersionException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UntrustedVersionException(String message) {
            super(message);
        }
    }

    private final Map<String, byte[]> publicKeysById;
    private final String source;

    private TrustedKeys(Map<String, byte[]> publicKeysById, String source) {
        this.publicKeysById = publicKeysById;
        this.source = source;
    }

    /** Every {@code *.pub} file of {@code dir}; a folder with none is refused (it would refuse every version). */
    public static TrustedKeys load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--trusted-keys " + dir + " is not a folder: give the folder of the"
                    + " public keys ('<keyId>" + SigningKeys.PUBLIC_SUFFIX + "', made by 'latentflow models keygen')");
        }
        Map<String, byte[]> keys = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SigningKeys.PUBLIC_SUFFIX))
                    .sorted().toList()) {
                PublicKey key = SigningKeys.readPublic(file);
                keys.put(SigningKeys.keyId(key), key.getEncoded());
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("--trusted-keys " + dir + " holds no public key ('*"
                    + SigningKeys.PUBLIC_SUFFIX + "'): copy the signers' .pub files there");
        }
        return new TrustedKeys(Map.copyOf(keys), dir.toAbsolutePath().toString());
    }

    public boolean checksSignatures() {
        return !publicKeysById.isEmpty();
    }

    public int size() {
        return publicKeysById.size();
    }

    /**
     * Refuses a key whose signatures these keys would not accept, so that a service does not sign candidates it would
     * then refuse to serve; nothing is refused when signatures are not checked.
     */
    public void requireTrusted(SigningKey key) {
        if (checksSignatures() && !publicKeysById.containsKey(key.keyId())) {
            throw new IllegalArgumentException("--sign-key " + key.keyId() + " is not among the trusted keys "
                    + publicKeysById.keySet() + " (" + source + "), so the versions it signs would be REJECTED:"
                    + " copy its '" + key.keyId() + SigningKeys.PUBLIC_SUFFIX + "' into the trusted keys' folder");
        }
    }

    /** For {@code status}: "not checked", or "trusted keys: N". */
    public String describe() {
        return checksSignatures() ? "trusted keys: " + size() : "not checked";
    }

    /**
     * A version directory on this machine, verified against its manifest ({@link ModelDirectory#verify}) and, when
     * signatures are checked, its manifest against the {@value ModelDirectory#SIGNATURE} beside it (which
     * {@code models publish --sign-key} and a checked download leave there), by {@link #check}.
     *
     * @throws UntrustedVersionException as {@link #check} does; a directory without a signature file is unsigned
     */
    public Manifest verify(Path dir) throws IOException {
        Manifest manifest = ModelDirectory.verify(dir);
        if (checksSignatures()) {
            Path signature = dir.resolve(ModelDirectory.SIGNATURE);
            check(manifest.version(), Files.readAllBytes(dir.resolve(ModelDirectory.MANIFEST)),
                    Files.isRegularFile(signature) ? Optional.of(Files.readAllBytes(signature)) : Optional.empty());
        }
        return manifest;
    }

    /**
     * Checks that {@code signature} is a signature of the manifest's exact bytes by one of these keys; does nothing
     * when signatures are not checked.
     *
     * @throws UntrustedVersionException saying whether the version is unsigned, signed by another key, or its
     *                                   manifest is not the one that was signed
     */
    public void check(String version, byte[] manifest, Optional<byte[]> signature) {
        if (!checksSignatures()) {
            return;
        }
        if (signature.isEmpty()) {
            throw new UntrustedVersionException("model version " + version + " is unsigned, and this service serves"
                    + " only versions signed by one of its " + size() + " trusted keys (" + source + "): publish it"
                    + " with 'latentflow models publish DIR --sign-key KEY'");
        }
        VersionSignature parsed;
        try {
            parsed = VersionSignature.fromJson(signature.get());
        } catch (IllegalArgumentException e) {
            throw new UntrustedVersionException("model version " + version + " has an unreadable "
                    + VersionSignature.FILE_NAME + ": " + e.getMessage());
        }
        byte[] key = publicKeysById.get(parsed.keyId());
        if (key == null) {
            throw new UntrustedVersionException("model version " + version + " is signed by key " + parsed.keyId()
                    + ", which is not among the trusted keys " + publicKeysById.keySet() + " (" + source + ")");
        }
        if (!parsed.verifies(manifest, SigningKeys.publicKey(key, "trusted key " + parsed.keyId()))) {
            throw new UntrustedVersionException("model version " + version + ": the signature by key "
                    + parsed.keyId() + " does not match its manifest (bad signature): the manifest, and with it the"
                    + " files it lists, was changed after it was signed");
        }
    }
}
