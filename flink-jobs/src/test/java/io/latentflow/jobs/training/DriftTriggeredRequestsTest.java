package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftFinding;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingTrigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** One fine-tune request per CRITICAL episode of a model version, none within the cooldown, the same id on replay. */
class DriftTriggeredRequestsTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void oneRequestPerCriticalEpisodeAndNoneWithinTheCooldown() throws Exception {
        try (var harness = harness(Duration.ofMinutes(30))) {
            harness.open();
            alert(harness, "v1", 0, DriftSeverity.WARNING);
            alert(harness, "v1", 1, DriftSeverity.CRITICAL);
            alert(harness, "v1", 2, DriftSeverity.CRITICAL); // the same episode
            alert(harness, "v2", 2, DriftSeverity.CRITICAL); // another version: its own episode
            alert(harness, "v1", 3, DriftSeverity.OK);
            alert(harness, "v1", 10, DriftSeverity.CRITICAL); // a new episode, but within the cooldown
            alert(harness, "v1", 20, DriftSeverity.OK);
            alert(harness, "v1", 45, DriftSeverity.CRITICAL); // a new episode after the cooldown

            List<TrainingRequest> requests = harness.extractOutputValues();
            assertThat(requests).extracting(TrainingRequest::getRequestId).containsExactly(
                    "drift-v1-" + minute(1).toEpochMilli(), "drift-v2-" + minute(2).toEpochMilli(),
                    "drift-v1-" + minute(45).toEpochMilli());
            assertThat(requests).allMatch(r -> r.getTrigger() == TrainingTrigger.DRIFT_ALERT);
            assertThat(requests.get(0).getAttributes()).containsEntry("modelVersion", "v1");
        }
    }

    @Test
    void byDefaultAWarningOfQualityAsksForAFineTuneAndAWarningOfNoveltyDoesNot() throws Exception {
        try (var harness = harness(FineTuneTrigger.DEFAULT, Duration.ofMinutes(30))) {
            harness.open();
            alert(harness, "v1", 0, DriftSeverity.WARNING, "NOVELTY");
            alert(harness, "v2", 0, DriftSeverity.WARNING, "NOVELTY", "QUALITY");

            assertThat(harness.extractOutputValues()).extracting(TrainingRequest::getRequestId)
                    .containsExactly("drift-v2-" + minute(0).toEpochMilli());
        }
    }

    @Test
    void aTriggerOfQualityOnlyIgnoresCriticalNovelty() throws Exception {
        try (var harness = harness(FineTuneTrigger.parse("quality"), Duration.ofMinutes(30))) {
            harness.open();
            alert(harness, "v1", 0, DriftSeverity.CRITICAL, "NOVELTY");

            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void anUnknownTriggerIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> FineTuneTrigger.parse("QUALITY,SEVERE"))
                .hasMessageContaining("SEVERE").hasMessageContaining("QUALITY, WARNING and CRITICAL");
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, DriftAlert, TrainingRequest> harness(
            Duration cooldown) throws Exception {
        return harness(FineTuneTrigger.parse("CRITICAL"), cooldown);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, DriftAlert, TrainingRequest> harness(
            FineTuneTrigger trigger, Duration cooldown) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DriftTriggeredRequests(trigger, cooldown, null)), DriftAlert::getModelVersion,
                Types.STRING);
    }

    private static void alert(KeyedOneInputStreamOperatorTestHarness<String, DriftAlert, TrainingRequest> harness,
                              String version, int minute, DriftSeverity severity, String... statistics)
            throws Exception {
        List<DriftFinding> findings = Arrays.stream(statistics).map(statistic -> DriftFinding.newBuilder()
                .setChannel(-1).setStatistic(statistic).setValue(1).setThreshold(1).setObserved(1).setReference(1)
                .build()).toList();
        harness.processElement(DriftAlert.newBuilder().setModelVersion(version).setWindowStart(minute(minute))
                .setWindowEnd(minute(minute + 1)).setWindowIndex(minute).setSeverity(severity)
                .setPreviousSeverity(DriftSeverity.OK).setDriftScore(3.0).setWarningThreshold(1.0)
                .setCriticalThreshold(2.0).setFindings(findings).setMessage("drift " + severity).build(), 0);
    }

    private static Instant minute(int minute) {
        return T0.plus(Duration.ofMinutes(minute));
    }
}
