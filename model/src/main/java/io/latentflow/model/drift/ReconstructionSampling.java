package io.latentflow.model.drift;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Which images the encode job also decodes to measure their reconstruction PSNR: 1 in {@code every}, chosen by a hash
 * of the image id, so a replay or a restart samples the same images and every subtask agrees without talking. Decoding
 * costs about 2.6 times an encode with the default model, so 1 in {@value #DEFAULT_EVERY} keeps it near 5 % of the
 * encoder's time ({@code bench encode} prints the measured share).
 *
 * @param every 1 decodes every image, 0 none
 */
public record ReconstructionSampling(int every) implements Serializable {

    private static final long serialVersionUID = 1L;
    public static final int DEFAULT_EVERY = 64;
    public static final ReconstructionSampling NONE = new ReconstructionSampling(0);
    public static final ReconstructionSampling DEFAULT = new ReconstructionSampling(DEFAULT_EVERY);

    public ReconstructionSampling {
        if (every < 0) {
            throw new IllegalArgumentException("reconstruction sampling: 1 in " + every + " images makes no sense;"
                    + " give 1 (every image), N (1 in N) or 0 (none)");
        }
    }

    public boolean isOff() {
        return every == 0;
    }

    public boolean sampled(String imageId) {
        if (every == 0) {
            return false;
        }
        return every == 1 || Long.remainderUnsigned(hash(imageId), every) == 0;
    }

    /** FNV-1a over the id's UTF-8 bytes, then a 64-bit finaliser: ids that differ in one digit spread evenly. */
    private static long hash(String imageId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : imageId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
