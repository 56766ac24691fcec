package io.latentflow.model.drift;

import java.io.Serializable;

/**
 * The drift state of one model version's latents across windows, with hysteresis: a window that indicates a worse
 * severity raises it at once; a severity clears (to what the window indicates) only after
 * {@link DriftThresholds#clearWindows()} windows in a row score below {@link DriftThresholds#clearFraction()} of its
 * threshold (and, for WARNING, show no pathology). So an alert does not flap while the score hovers at a threshold.
 * A window of fewer than {@link DriftThresholds#minImages()} images counts as a window but moves nothing.
 *
 * @param windows     windows seen so far
 * @param severity    the current severity
 * @param calmWindows calm windows in a row while {@code severity} holds
 */
public record DriftState(long windows, Severity severity, int calmWindows) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final DriftState INITIAL = new DriftState(0, Severity.OK, 0);

    /**
     * The state after one more window.
     *
     * @return the new state, and whether the severity changed (an alert is due)
     */
    public Transition next(DriftAssessment window, DriftThresholds thresholds) {
        long index = windows;
        if (window.images() < thresholds.minImages()) {
            return new Transition(index, new DriftState(index + 1, severity, calmWindows), severity);
        }
        Severity level = window.level();
        if (level.isWorseThan(severity)) {
            return new Transition(index, new DriftState(index + 1, level, 0), severity);
        }
        boolean calm = severity != Severity.OK
                && window.score() < thresholds.clearFraction() * thresholds.scoreOf(severity)
                && (severity != Severity.WARNING || !window.hasPathology());
        if (!calm) {
            return new Transition(index, new DriftState(index + 1, severity, 0), severity);
        }
        if (calmWindows + 1 >= thresholds.clearWindows()) {
            return new Transition(index, new DriftState(index + 1, level, 0), severity);
        }
        return new Transition(index, new DriftState(index + 1, severity, calmWindows + 1), severity);
    }

    /**
     * @param windowIndex the index of the window that caused it (windows of this model version before it)
     * @param state       the state after that window
     * @param previous    the severity before it
     */
    public record Transition(long windowIndex, DriftState state, Severity previous) {

        public boolean changed() {
            return state.severity() != previous;
        }
    }
}
