package io.latentflow.model.eval;

/**
 * The gate refuses to judge: too few held-out images on one side for an interval worth deciding on. Says how many
 * more each side needs, so a caller can tell its user how much more data to wait for.
 */
public final class NotEnoughHeldOutImages extends IllegalArgumentException {

    private final int recentMissing;
    private final int olderMissing;

    public NotEnoughHeldOutImages(int recent, int older, int minimum) {
        super(message(recent, older, minimum));
        this.recentMissing = Math.max(0, minimum - recent);
        this.olderMissing = Math.max(0, minimum - older);
    }

    /** Held-out recent images still missing (0 when that side has enough). */
    public int recentMissing() {
        return recentMissing;
    }

    /** Held-out older images still missing (0 when that side has enough). */
    public int olderMissing() {
        return olderMissing;
    }

    private static String message(int recent, int older, int minimum) {
        StringBuilder message = new StringBuilder("too few held-out images to judge a candidate: the gate needs at"
                + " least " + minimum + " recent and " + minimum + " older, has " + recent + " recent and " + older
                + " older");
        if (recent < minimum) {
            message.append("; ").append(minimum - recent).append(" more held-out recent images needed");
        }
        if (older < minimum) {
            message.append("; ").append(minimum - older).append(" more held-out older images needed");
        }
        return message.toString();
    }
}
