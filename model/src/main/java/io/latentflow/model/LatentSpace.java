package io.latentflow.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a latent means, as far as this project defines it for now: the encoder's weights and the preprocessing that
 * feeds them. Two model versions with the same identity give the same latent for the same image (a decoder-only
 * fine-tune keeps it), so a diffusion model trained on one keeps working with the other. The scale and shift a
 * diffusion model applies ({@code (latent - shift) * scale}) travel beside it; the project's own models need none
 * (scale 1, shift 0: bounded latents).
 *
 * <p>The identity is {@code sha256:<hex>} over the sha256 of the encoder's parameter file and {@link #PREPROCESSING}.
 * The resolution is not part of it: it changes a latent's height and width, not what a position means.
 */
public final class LatentSpace {

    /** The one preparation path of the imaging module, as the encoder sees its output. */
    public static final String PREPROCESSING = "imaging/v1: sRGB, EXIF-oriented, resized and centre-cropped,"
            + " planar RGB, value / 127.5 - 1";

    public static final double SCALING_FACTOR = 1.0;
    public static final double SHIFT_FACTOR = 0.0;

    private LatentSpace() {
    }

    /** @param encoderParamsSha256 lowercase hex sha256 of the encoder's parameter file (as its manifest lists it) */
    public static String of(String encoderParamsSha256) {
        return "sha256:" + sha256Hex(encoderParamsSha256 + "\n" + PREPROCESSING);
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
