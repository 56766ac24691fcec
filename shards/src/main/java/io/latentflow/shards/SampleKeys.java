package io.latentflow.shards;

import io.latentflow.imaging.ImageRejectedException;
import io.latentflow.schemas.DeadLetterReason;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The key of an image's sample in a shard: the base name of its tar members ({@code <key>.latent.npy},
 * {@code <key>.json}) and safe inside an object key.
 *
 * <p>A key is a readable, sanitised prefix of the id (at most {@value #PREFIX_LENGTH} characters of
 * {@code [A-Za-z0-9_-]}, every run of other characters replaced by one '-') then '_' and the first
 * {@value #HASH_HEX_CHARS} hex digits of sha256(UTF-8 id). So a key:
 * <ul>
 *   <li>never contains '/', '.' or '..': no id can escape its shard or its prefix, and WebDataset, which splits a
 *       member name at the first dot, sees exactly the extensions {@code latent.npy} and {@code json};</li>
 *   <li>differs for ids that sanitise alike ("a/b", "a.b", "a b"): the hash is of the id itself. Two different ids
 *       share a key only if they share the prefix and 64 bits of sha256 (for n ids with one prefix, odds n^2 / 2^65);</li>
 *   <li>is the same for the same id on every run, so a replay after a restore writes the same member names.</li>
 * </ul>
 * An id with no safe character at all ("..", "日本") gets the hash alone as its key.
 *
 * <p>Refused (INVALID_ID): null, empty, longer than {@value #MAX_ID_LENGTH} characters (an id is a name, not a
 * payload), or not valid Unicode (an unpaired surrogate has no UTF-8 form, so its hash would not be well defined).
 */
public final class SampleKeys {

    public static final int MAX_ID_LENGTH = 1024;
    public static final int PREFIX_LENGTH = 64;
    public static final int HASH_HEX_CHARS = 16;
    /** The longest key: prefix, separator, hash. */
    public static final int MAX_KEY_LENGTH = PREFIX_LENGTH + 1 + HASH_HEX_CHARS;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private SampleKeys() {
    }

    public static String of(String imageId) throws ImageRejectedException {
        if (imageId == null || imageId.isEmpty()) {
            throw invalid("the image id is missing: give every image a non-empty id");
        }
        if (imageId.length() > MAX_ID_LENGTH) {
            throw invalid("the image id is " + imageId.length() + " characters long, over the limit of " + MAX_ID_LENGTH
                    + ": use a shorter id (a name or a hash, not the content)");
        }
        if (!isValidUtf16(imageId)) {
            throw invalid("the image id contains an unpaired surrogate character, which is not valid Unicode: send the id as valid UTF-8");
        }
        String prefix = readablePrefix(imageId);
        String hash = hash(imageId);
        return prefix.isEmpty() ? hash : prefix + "_" + hash;
    }

    /**
     * The shard key of an image that came with a key from its dataset (a webdataset sample's key): that key itself when
     * it is already safe ({@code [A-Za-z0-9_-]}, at most {@value #MAX_KEY_LENGTH} characters), so a trainer can join
     * the latent with the original sample; otherwise {@link #of} of it (a readable prefix and a hash).
     */
    public static String ofDatasetKey(String datasetKey) throws ImageRejectedException {
        if (isKey(datasetKey) && datasetKey.length() <= MAX_KEY_LENGTH && datasetKey.charAt(0) != '-') {
            return datasetKey;
        }
        return of(datasetKey);
    }

    /** True for strings {@link #of} can return (or could, for the alphabet): non-empty {@code [A-Za-z0-9_-]}. */
    public static boolean isKey(String candidate) {
        return candidate != null && KEY.matcher(candidate).matches();
    }

    private static String readablePrefix(String id) {
        StringBuilder prefix = new StringBuilder(Math.min(id.length(), PREFIX_LENGTH));
        for (int i = 0; i < id.length() && prefix.length() < PREFIX_LENGTH; i++) {
            char c = id.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            char next = safe ? c : '-';
            if (next == '-' && (prefix.length() == 0 || prefix.charAt(prefix.length() - 1) == '-')) {
                continue; // no leading '-' (a file name that reads as a command-line option), no runs of them
            }
            prefix.append(next);
        }
        while (prefix.length() > 0 && prefix.charAt(prefix.length() - 1) == '-') {
            prefix.setLength(prefix.length() - 1);
        }
        return prefix.toString();
    }

    private static String hash(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, HASH_HEX_CHARS / 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    private static boolean isValidUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static ImageRejectedException invalid(String message) {
        return new ImageRejectedException(DeadLetterReason.INVALID_ID, message);
    }
}
