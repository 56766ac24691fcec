package io.latentflow.model;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a latent means: a hash of everything that decides it for a given image (the encoder's weights, the
 * preprocessing, the scale and shift applied to the served latents). Two versions with the same latent space give
 * identical latents for the same image, so a diffusion model trained on one keeps working with the other; a
 * decoder-only fine-tune keeps it, any change to the encoder makes a new one.
 */
public final class LatentSpace {

    /** How images reach every encoder here: RGB, NCHW, float32 in [-1, 1]. A change to it changes every space. */
    static final String PREPROCESSING = "rgb nchw float32 [-1,1]";
    private static final String FORMAT = "latentflow latent space 1";
    private static final int HEX_CHARS = 16;

    private LatentSpace() {
    }

    /** Writes the encoder side's weights, in a fixed order, bit for bit. */
    public interface EncoderWeights {
        void writeTo(DataOutputStream out) throws IOException;
    }

    /** {@code ls-} and 16 hex digits of the sha256 of the format, preprocessing, scale, shift and encoder weights. */
    public static String of(double scalingFactor, double shiftFactor, EncoderWeights encoder) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new DigestOutputStream(
                OutputStream.nullOutputStream(), digest), 1 << 16))) {
            out.write((FORMAT + "\n" + PREPROCESSING + "\nscale " + Double.toHexString(scalingFactor) + "\nshift "
                    + Double.toHexString(shiftFactor) + "\n").getBytes(StandardCharsets.UTF_8));
            encoder.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash the encoder's weights", e);
        }
        return "ls-" + HexFormat.of().formatHex(digest.digest()).substring(0, HEX_CHARS);
    }
}
