package io.latentflow.model.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gate's quality decision, on intervals rather than point estimates: the per-image PSNR change (candidate minus
 * serving, on the same held-out images) with its paired bootstrap 95 % interval, the replay report's statistic. The
 * candidate must gain on the recent images with the interval's LOWER bound above {@code minRecentGainDb}, and may lose
 * on the older ones only as far as the lower bound stays at or above {@code -maxOlderLossDb} (so an allowance of 0
 * accepts a candidate identical on them). A mean gain whose interval
 * reaches below the required gain is noise, not an improvement.
 */
final class PsnrChangeRule {

    private PsnrChangeRule() {
    }

    /** The failures, empty when both hold. */
    static List<String> failures(PairedBootstrap.Interval recent, PairedBootstrap.Interval older,
                                 GateThresholds thresholds) {
        List<String> failures = new ArrayList<>();
        if (!(recent.low() > thresholds.minRecentGainDb())) {
            failures.add(String.format(Locale.ROOT, "recent images: PSNR change %s: its lower bound is not above the"
                    + " %+.2f dB gain needed", describe(recent), thresholds.minRecentGainDb()));
        }
        if (!(older.low() >= -thresholds.maxOlderLossDb())) {
            failures.add(String.format(Locale.ROOT, "older images: PSNR change %s: its lower bound is below the"
                    + " %.2f dB loss allowed (%+.2f dB)", describe(older), thresholds.maxOlderLossDb(),
                    -thresholds.maxOlderLossDb()));
        }
        return failures;
    }

    /** e.g. {@code +0.42 dB, 95 % interval [+0.18, +0.66] on 40 images}. */
    static String describe(PairedBootstrap.Interval change) {
        return String.format(Locale.ROOT, "%+.2f dB, 95 %% interval [%+.2f, %+.2f] on %d images", change.mean(),
                change.low(), change.high(), change.count());
    }
}
