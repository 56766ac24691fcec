package io.latentflow.model.finetune;

import io.latentflow.model.data.HeldOutSplit;
import io.latentflow.model.eval.GateThresholds;

import java.nio.file.Path;
import java.util.List;

/**
 * The images of a fine-tune, split before anything trains: held out for the gate on both sides (by source or by
 * content, {@link HeldOutSplit}), and refused up front when the gate could not judge the candidate, so that no run
 * trains for nothing and no candidate is made.
 *
 * @param recent   the new data: training and held-out images
 * @param older    the data the serving version was made for: replayed and held-out images
 * @param fraction the held-out share used
 */
public record FineTuneData(HeldOutSplit recent, HeldOutSplit older, double fraction) {

    /**
     * @throws NotEnoughSamples when a side holds out fewer than the gate's minimum, or nothing is left to train on
     */
    public static FineTuneData split(List<Path> recentFiles, List<Path> olderFiles, double fraction,
                                     GateThresholds thresholds) {
        HeldOutSplit recent = HeldOutSplit.of(recentFiles, fraction);
        HeldOutSplit older = HeldOutSplit.of(olderFiles, fraction);
        int minimum = thresholds.minHeldOutImages();
        int recentMissing = Math.max(0, minimum - recent.heldOut().size());
        int olderMissing = Math.max(0, minimum - older.heldOut().size());
        if (recentMissing > 0 || olderMissing > 0 || recent.training().isEmpty()) {
            throw new NotEnoughSamples(recent, older, minimum, recentMissing, olderMissing, fraction);
        }
        return new FineTuneData(recent, older, fraction);
    }

    /** A fine-tune refused before it starts: what the gate needs, what the data holds, how much more to wait for. */
    public static final class NotEnoughSamples extends IllegalArgumentException {

        private final int moreRecentImages;

        NotEnoughSamples(HeldOutSplit recent, HeldOutSplit older, int minimum, int recentMissing, int olderMissing,
                         double fraction) {
            super(message(recent, older, minimum, recentMissing, olderMissing, fraction));
            this.moreRecentImages = Math.max(HeldOutSplit.imagesFor(recentMissing, fraction),
                    recent.training().isEmpty() ? 1 : 0);
        }

        /** About how many more recent images (samples) are needed, 0 when the recent side has enough. */
        public int moreRecentImages() {
            return moreRecentImages;
        }

        private static String message(HeldOutSplit recent, HeldOutSplit older, int minimum, int recentMissing,
                                      int olderMissing, double fraction) {
            int recentImages = recent.training().size() + recent.heldOut().size();
            int olderImages = older.training().size() + older.heldOut().size();
            StringBuilder message = new StringBuilder("too few samples to fine-tune and judge the candidate: the gate"
                    + " needs " + minimum + " held-out images of each side; the " + recentImages + " recent images"
                    + " hold out " + recent.heldOut().size() + " (by " + recent.basis() + "), the " + olderImages
                    + " older images " + older.heldOut().size() + " (by " + older.basis() + ")");
            if (recentMissing > 0) {
                message.append("; about ").append(HeldOutSplit.imagesFor(recentMissing, fraction))
                        .append(" more recent images are needed");
            } else if (recent.training().isEmpty()) {
                message.append("; every recent image is held out, none is left to train on: send more");
            }
            if (olderMissing > 0) {
                message.append("; about ").append(HeldOutSplit.imagesFor(olderMissing, fraction))
                        .append(" more older images are needed (or a folder of older images with more sources)");
            }
            return message.append(". Nothing was trained and no candidate was made.").toString();
        }
    }
}
