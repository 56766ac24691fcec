package io.latentflow.jobs.drift;

import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftFinding;
import io.latentflow.model.drift.DriftState;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.Severity;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** {@link DriftAlert} records for changes of a model version's drift state. */
public final class DriftAlerts {

    /** Findings named in an alert's message; the record lists them all. */
    private static final int FINDINGS_IN_MESSAGE = 4;

    private DriftAlerts() {
    }

    public static DriftAlert of(LatentStatsWindow window, DriftState.Transition transition,
                                DriftAssessment assessment, DriftThresholds thresholds) {
        List<io.latentflow.schemas.DriftFinding> findings = assessment.findings().stream()
                .map(f -> io.latentflow.schemas.DriftFinding.newBuilder()
                        .setChannel(f.channel())
                        .setStatistic(f.statistic().name())
                        .setValue(f.value())
                        .setThreshold(f.threshold())
                        .setObserved(f.observed())
                        .setReference(f.reference())
                        .build())
                .toList();
        return DriftAlert.newBuilder()
                .setModelVersion(window.getModelVersion())
                .setWindowStart(window.getWindowStart())
                .setWindowEnd(window.getWindowEnd())
                .setWindowIndex(transition.windowIndex())
                .setSeverity(DriftSeverity.valueOf(transition.state().severity().name()))
                .setPreviousSeverity(DriftSeverity.valueOf(transition.previous().name()))
                .setDriftScore(assessment.score())
                .setWarningThreshold(thresholds.warningScore())
                .setCriticalThreshold(thresholds.criticalScore())
                .setFindings(findings)
                .setMessage(message(window, transition, assessment, thresholds))
                .build();
    }

    static String message(LatentStatsWindow window, DriftState.Transition transition, DriftAssessment assessment,
                          DriftThresholds thresholds) {
        Severity severity = transition.state().severity();
        String where = String.format(Locale.ROOT, "model %s, window %d [%s, %s), %d images",
                window.getModelVersion(), transition.windowIndex(), window.getWindowStart(), window.getWindowEnd(),
                window.getImages());
        if (severity.isWorseThan(transition.previous())) {
            String moved = assessment.findings().stream().limit(FINDINGS_IN_MESSAGE).map(DriftFinding::describe)
                    .collect(Collectors.joining(", "));
            int more = assessment.findings().size() - FINDINGS_IN_MESSAGE;
            return String.format(Locale.ROOT, "%s: drift score %.2f (warning %.2f, critical %.2f) at %s: %s%s",
                    severity, assessment.score(), thresholds.warningScore(), thresholds.criticalScore(), where, moved,
                    more > 0 ? " and " + more + " more" : "");
        }
        return String.format(Locale.ROOT, "%s (was %s): drift score %.2f, calm for %d window(s) below %.2f, at %s",
                severity, transition.previous(), assessment.score(), thresholds.clearWindows(),
                thresholds.clearFraction() * thresholds.scoreOf(transition.previous()), where);
    }
}
