package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.DriftState;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.WindowAccumulator;
import io.latentflow.model.drift.WindowStatistics;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.junit.jupiter.api.Test;

/** The detector's hysteresis over real window records, and its state across a restore from a checkpoint. */
class DriftDetectorTest {

    private static final long MINUTE = 60_000;
    private static final double[] CALM = {0, 0, 0, 0};
    /** Channel 2 moved by five reference std: a mean shift of 2.5 times its warning level, CRITICAL. */
    private static final double[] SHIFTED = {0, 0, 5 * SyntheticLatents.STD, 0};

    private final ReferenceProfile profile = SyntheticLatents.profile();
    private final DriftScorer scorer = new DriftScorer(profile, DriftThresholds.DEFAULTS);

    @Test
    void raisesOnceWhileDriftHoldsAndClearsAfterCalmWindowsAcrossARestore() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = harness()) {
            harness.open();
            process(harness, 0, CALM);
            process(harness, 1, SHIFTED);
            process(harness, 2, SHIFTED);
            assertThat(alerts(harness)).extracting(DriftAlert::getWindowIndex, DriftAlert::getSeverity)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, DriftSeverity.CRITICAL));
            checkpoint = harness.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.initializeState(checkpoint);
            restored.open();
            process(restored, 3, SHIFTED); // still drifted: no repeated alert
            process(restored, 4, CALM);
            process(restored, 5, CALM); // second calm window in a row: cleared
            List<DriftAlert> alerts = alerts(restored);
            assertThat(alerts).hasSize(1);
            DriftAlert cleared = alerts.get(0);
            assertThat(cleared.getWindowIndex()).as("the window count survived the restore").isEqualTo(5);
            assertThat(cleared.getPreviousSeverity()).isEqualTo(DriftSeverity.CRITICAL);
            assertThat(cleared.getSeverity()).isEqualTo(DriftSeverity.OK);
            assertThat(cleared.getMessage()).startsWith("OK (was CRITICAL)");
        }
    }

    @Test
    void aWindowUpdatedByLateLatentsDoesNotMoveTheState() throws Exception {
        try (var harness = harness()) {
            harness.open();
            process(harness, 0, CALM);
            process(harness, 1, SHIFTED);
            process(harness, 1, SHIFTED); // the same window again, emitted after a late latent
            process(harness, 2, CALM);
            process(harness, 3, CALM);
            assertThat(alerts(harness)).extracting(DriftAlert::getWindowIndex, DriftAlert::getSeverity)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, DriftSeverity.CRITICAL),
                            org.assertj.core.groups.Tuple.tuple(3L, DriftSeverity.OK));
        }
    }

    @Test
    void itsStateIsSerializedByFlinkNotKryo() {
        assertThat(TypeInformation.of(DriftState.class)).isInstanceOf(PojoTypeInfo.class);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, LatentStatsWindow, DriftAlert> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new DriftDetector(new DriftScorers(new ReferenceProfileLookup(profile, null),
                DriftThresholds.DEFAULTS))),
                LatentStatsWindow::getModelVersion, Types.STRING);
    }

    private void process(KeyedOneInputStreamOperatorTestHarness<String, LatentStatsWindow, DriftAlert> harness,
                         int minute, double[] mean) throws Exception {
        WindowAccumulator accumulator = new WindowAccumulator(profile);
        for (EncodedLatent latent : SyntheticLatents.latents(32, minute * MINUTE, 1875, mean, minute)) {
            accumulator.add(latent.image.imageId, latent.image.source, latent.image.eventTime, latent.latent,
                    profile.novelty(latent.latent));
        }
        WindowStatistics statistics = accumulator.result();
        DriftAssessment assessment = scorer.assess(statistics);
        harness.processElement(LatentStatsRecords.toRecord(SyntheticLatents.MODEL, minute * MINUTE,
                (minute + 1) * MINUTE, statistics, profile, assessment, DriftThresholds.DEFAULTS), (minute + 1) * MINUTE - 1);
    }

    private static List<DriftAlert> alerts(KeyedOneInputStreamOperatorTestHarness<String, LatentStatsWindow,
            DriftAlert> harness) {
        List<DriftAlert> alerts = harness.extractOutputValues();
        harness.getOutput().clear();
        return alerts;
    }
}
