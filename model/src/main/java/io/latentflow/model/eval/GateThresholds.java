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
 * @param maxBlackHolePositions  latent values beyond 6 std of their channel's mean, at most
 * @param maxOlderLossDb         non-regression: PSNR on the older images at most this far below the serving version's
 * @param minRecentGainDb        improvement: PSNR on the recent images at least this far above the serving version's
 */
public record GateThresholds(double minPsnr, double minSsim, double maxFractionOutsideUnit, double minChannelStd,
                             double maxChannelStd, long maxBlackHolePositions, double maxOlderLossDb,
                             double minRecentGainDb) implements Serializable {

    /**
     * Floors well below what the shipped default model measures at 256 px (27.9 dB, SSIM 0.82 on held-out photos, std
     * 0.63-0.71 per channel, 0 % outside, no black holes); the 0.3 dB for the older data; any real gain on the
     * recent data (0.1 dB, above the run-to-run noise of a fixed image set, which is none: evaluation is deterministic).
     */
    public static final GateThresholds DEFAULTS = new GateThresholds(20, 0.5, 0, 0.4, 1.0, 0, 0.3, 0.1);

    public GateThresholds {
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
                maxBlackHolePositions, maxOlderLossDb, db);
    }

    public GateThresholds withMaxOlderLossDb(double db) {
        return new GateThresholds(minPsnr, minSsim, maxFractionOutsideUnit, minChannelStd, maxChannelStd,
                maxBlackHolePositions, db, minRecentGainDb);
    }
}
