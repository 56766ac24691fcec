package io.latentflow.cli.ingest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The id of an ingested image: {@code <source>/<path>@<content>}, where path is the file's path relative to the
 * folder it was ingested from and content the first {@value #CONTENT_HEX_CHARS} hex digits of the sha256 of its bytes.
 * The same file ingested twice gets the same id (so the encode job keeps one latent of it); a file changed after it
 * was sent gets a new one (a new version of that image); and the id still reads as the file it came from.
 */
public final class ImageIds {

    public static final int CONTENT_HEX_CHARS = 12;

    private ImageIds() {
    }

    /** @param relativePath the file's path relative to its ingested folder ({@code a.jpg}, {@code day1/a.jpg}) */
    public static String of(String source, Path relativePath, String contentSha256) {
        String path = relativePath.toString().replace('\\', '/');
        return source + "/" + path + "@" + contentSha256.substring(0, CONTENT_HEX_CHARS);
    }

    /** The id {@code bytes} would get as {@code relativePath} of {@code source}. */
    public static String of(String source, Path relativePath, byte[] bytes) {
        return of(source, relativePath, sha256(bytes));
    }

    /** Hex sha256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** Hex sha256 of the UTF-8 bytes of {@code text}. */
    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
