package io.latentflow.jobs.sampling;

import io.latentflow.jobs.encode.PreparedImage;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A sampling candidate: the prepared image with the SHA-256 of its model-input pixels. The hash's first 8 bytes are
 * its priority: keeping the lowest priorities draws uniformly among distinct contents, the same draw on every replay,
 * and an image sent twice has the same priority, so it is kept once. A Flink POJO.
 */
public class SampledImage {

    public long priority;
    public String contentHash;
    public PreparedImage image;

    public SampledImage() {
    }

    static SampledImage of(PreparedImage image) {
        SampledImage sampled = new SampledImage();
        byte[] digest = sha256(image.pixels);
        sampled.priority = ByteBuffer.wrap(digest).getLong() >>> 1; // non-negative, still uniform
        sampled.contentHash = HexFormat.of().formatHex(digest);
        sampled.image = image;
        return sampled;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
