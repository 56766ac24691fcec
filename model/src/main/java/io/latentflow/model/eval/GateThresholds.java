package io.latentflow.model.eval;

import java.io.Serializable;

/**
 * What a candidate model version must show to be promoted (see {@link PromotionGate}).
 *
 * @param minPsnr                absolute floor, dB, on the recent and on the older held-out images
 * @param minSsim                absolute floor on both
 * @param maxFractionOutsideUnit latent values outside [-1, 1], at most (0: none; bounded latents never leave it)
 * @param minChannelStd          every latent channel's std, at least (a collapsed channel carries nothing)
 * @param maxChannelStd          every latent channel's std, at most
 * @param maxBlackHolePositions  {@link io.latentflow.model.drift.BlackHoles} positions, at most
 * @param maxOlderLossDb         non-regression: the lower bound of the 95 % paired bootstrap interval of the PSNR change
 *                               on the older images must be above minus this
 * @param minRecentGainDb        improvement: the lower bound of that interval on the recent images must be above this
 * @param minHeldOutImages       held-out images the gate needs on each side (recent, older) before it judges at all
 */
public record GateThresholds(double minPsnr, double minSsim, double maxFractionOutsideUnit, double minChannelStd,
                             double maxChannelStd, long maxBlackHolePositions, double maxOlderLossDb,
                             double minRecentGainDb, int minHeldOutImages) implements Serializable {

    /**
     * With fewer images a percentile bootstrap interval is too ragged to decide on (a handful of distinct resampled
     * means); 16 is also what a fine-tune's data of a modest stream holds out at the default share (about 100 images).
     */
    public static final int DEFAULT_MIN_HELD_OUT_IMAGES = 16;

    /**
     * Floors well below what the shipped default model measures at 256 px (27.9 dB, SSIM 0.82 on held-out photos, std
     * 0.63-0.71 per channel, 0 % outside, no black holes); the 0.3 dB for the older data; any real gain on the
     * recent data (0.1 dB, above the run-to-run noise of a fixed image set, which is none: evaluation is deterministic).
     */
    public static final GateThresholds DEFAULTS = new GateThresholds(20, 0.5, 0, 0.4, 1.0, 0, 0.3, 0.1,
            DEFAULT_MIN_HELD_OUT_IMAGES);

    /** The thresholds with the default minimum of held-out images. */
    public GateThresholds(double minPsnr, double minSsim, double maxFractionOutsideUnit, double minChannelStd,
                          double maxChannelStd, long maxBlackHolePositions, double maxOlderLossDb,
                          double minRecentGainDb) {
        this(minPsnr, minSsim, maxFractionOutsideUnit, minChannelStd, maxChannelStd, maxBlackHolePositions,
                maxOlderLossDb, minRecentGainDb, DEFAULT_MIN_HELD_OUT_IMAGES);
    }

    public GateThresholds {
        if (minHeldOutImages < 2) {
            throw new IllegalArgumentException("the gate needs at least 2 held-out images per side for an interval,"
                    + " got a minimum of " + minHeldOutImages);
        }
        if (!(minChannelStd <= maxChannelStd)) {
            throw new IllegalArgumentException("latent std band [" + minChannelStd + ", " + maxChannelStd
                    + "] is empty: the lower bound must not exceed the upper one");
        }
        if (!(maxOlderLossDb >= 0)) {
            throw new IllegalArgumentException("the allowed loss on older images is " + maxOlderLossDb
                    + " dB: give 0 or more");
        }
    }

    public GateThresholds withMinRecentGainDb(double db) {
        return new GateThresholds(minPsnr, minSsim, maxFractionOutsideUnit, minChannelStd, maxChannelStd,
                maxBlackHolePositions, maxOlderLossDb, db, minHeldOutImages);
    }

    public GateThresholds withMaxOlderLossDb(double db) {
        return new GateThresholds(minPsnr, minSsim, maxFractionOutsideUnit, minChannelStd, maxChannelStd,
                maxBlackHolePositions, db, minRecentGainDb, minHeldOutImages);
    }

    public GateThresholds withMinHeldOutImages(int images) {
        return new GateThresholds(minPsnr, minSsim, maxFractionOutsideUnit, minChannelStd, maxChannelStd,
                maxBlackHolePositions, maxOlderLossDb, minRecentGainDb, images);
    }

    /**
     * Refuses to judge on too few held-out images, saying how many more each side needs.
     *
     * @throws NotEnoughHeldOutImages when either side has fewer than {@link #minHeldOutImages}
     */
    public void requireEnoughHeldOut(int recent, int older) {
        if (recent < minHeldOutImages || older < minHeldOutImages) {
            throw new NotEnoughHeldOutImages(recent, older, minHeldOutImages);
        }
    }
}
