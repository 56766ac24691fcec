package io.latentflow.model.drift;

import static io.latentflow.model.drift.Severity.CRITICAL;
import static io.latentflow.model.drift.Severity.OK;
import static io.latentflow.model.drift.Severity.WARNING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hysteresis: severity sequences for sequences of window scores (warning 1, critical 2, clear below 0.8 x, 2 calm). */
class DriftStateTest {

    private static final DriftThresholds THRESHOLDS = new DriftThresholds(0.5, 0.5, 0.25, 1.5, 1, 2, 1e-3, 2, 0.25, 0.8,
            2, 8);

    @Test
    void aWarningIsRaisedByTheFirstWindowOverAndClearedOnlyAfterTwoCalmWindows() {
        assertThat(severities(0.2, 0.3, 1.1, 0.9, 0.7, 0.5, 0.3))
                .containsExactly(OK, OK, WARNING, WARNING, WARNING, OK, OK);
        assertThat(alerts(0.2, 0.3, 1.1, 0.9, 0.7, 0.5, 0.3)).containsExactly("2:OK->WARNING", "5:WARNING->OK");
    }

    @Test
    void aScoreHoveringAtTheThresholdDoesNotFlap() {
        assertThat(alerts(0.95, 1.05, 0.95, 1.02, 0.97, 1.01, 0.99, 1.0)).containsExactly("1:OK->WARNING");
    }

    @Test
    void oneCalmWindowBetweenDriftedOnesDoesNotClear() {
        assertThat(severities(1.5, 0.1, 1.5, 0.1, 0.1)).containsExactly(WARNING, WARNING, WARNING, WARNING, OK);
    }

    @Test
    void criticalEscalatesAtOnceAndStepsDownThroughTheWindowsLevel() {
        assertThat(alerts(0.1, 2.5, 1.7, 1.5, 1.2, 0.5, 0.5))
                .containsExactly("1:OK->CRITICAL", "4:CRITICAL->WARNING", "6:WARNING->OK");
        assertThat(alerts(1.2, 3.0, 0.1, 0.1)).containsExactly("0:OK->WARNING", "1:WARNING->CRITICAL",
                "3:CRITICAL->OK");
    }

    @Test
    void aPathologyKeepsAWarningUpWhateverTheScore() {
        List<DriftAssessment> windows = List.of(pathology(0.1), pathology(0.1), window(0.1), window(0.1));
        List<String> alerts = new ArrayList<>();
        DriftState state = DriftState.INITIAL;
        for (DriftAssessment window : windows) {
            DriftState.Transition transition = state.next(window, THRESHOLDS);
            if (transition.changed()) {
                alerts.add(transition.windowIndex() + ":" + transition.previous() + "->" + transition.state().severity());
            }
            state = transition.state();
        }
        assertThat(alerts).containsExactly("0:OK->WARNING", "3:WARNING->OK");
        assertThat(state.windows()).isEqualTo(4);
    }

    @Test
    void aWindowOfAFewImagesCountsButMovesNothing() {
        DriftState state = DriftState.INITIAL;
        DriftState.Transition few = state.next(new DriftAssessment(7, 5.0, List.of(), List.of(), CRITICAL), THRESHOLDS);
        assertThat(few.changed()).isFalse();
        assertThat(few.state()).isEqualTo(new DriftState(1, OK, 0));
        DriftState.Transition full = few.state().next(window(5.0), THRESHOLDS);
        assertThat(full.windowIndex()).isEqualTo(1);
        assertThat(full.state().severity()).isEqualTo(CRITICAL);
    }

    private static List<Severity> severities(double... scores) {
        List<Severity> severities = new ArrayList<>();
        DriftState state = DriftState.INITIAL;
        for (double score : scores) {
            state = state.next(window(score), THRESHOLDS).state();
            severities.add(state.severity());
        }
        return severities;
    }

    private static List<String> alerts(double... scores) {
        List<String> alerts = new ArrayList<>();
        DriftState state = DriftState.INITIAL;
        for (double score : scores) {
            DriftState.Transition transition = state.next(window(score), THRESHOLDS);
            if (transition.changed()) {
                alerts.add(transition.windowIndex() + ":" + transition.previous() + "->" + transition.state().severity());
            }
            state = transition.state();
        }
        return alerts;
    }

    private static DriftAssessment window(double score) {
        Severity level = score >= 2 ? CRITICAL : score >= 1 ? WARNING : OK;
        return new DriftAssessment(32, score, List.of(), List.of(), level);
    }

    private static DriftAssessment pathology(double score) {
        return new DriftAssessment(32, score, List.of(), List.of(new DriftFinding(DriftFinding.ALL_CHANNELS,
                DriftStatistic.SCALE, 5, 2, 5, 1)), WARNING);
    }
}
