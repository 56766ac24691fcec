package io.latentflow.dashboard;

import static io.latentflow.dashboard.StatsRecords.alert;
import static io.latentflow.dashboard.StatsRecords.finding;
import static io.latentflow.dashboard.StatsRecords.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import java.time.Instant;
import java.util.List;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsHistoryTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final float[] CENTRED = {-0.5f, 0.5f, -0.5f, 0.5f};
    private static final float[] SHIFTED = {0.5f, 1.5f, 0.5f, 1.5f};

    @Test
    void windowsComeBackInEventTimeOrderWithTheirChannelStatistics() {
        StatsHistory history = new StatsHistory(10, 10);
        history.add(window("m1", T0.plusSeconds(60), 32, 0.2, CENTRED, SHIFTED));
        history.add(window("m1", T0, 32, 0.1, CENTRED, CENTRED));

        List<WindowSummary> windows = history.windows("m1", 0).items();

        assertThat(windows).extracting(WindowSummary::start)
                .containsExactly(T0.toEpochMilli(), T0.plusSeconds(60).toEpochMilli());
        WindowSummary later = windows.get(1);
        assertThat(later.channels()).containsExactly(0, 1);
        assertThat(later.mean().get(0)).isCloseTo(0.0, within(1e-9));
        assertThat(later.mean().get(1)).isCloseTo(1.0, within(1e-9));
        assertThat(later.std().get(1)).isCloseTo(0.5, within(1e-9));
        assertThat(later.outsideUnit()).containsExactly(0.0, 0.5);
        assertThat(later.pooledMean()).isCloseTo(0.5, within(1e-9));
        assertThat(later.driftScore()).isEqualTo(0.2);
        assertThat(later.warningThreshold()).isEqualTo(1.0);
        WindowDetail detail = history.latest("m1").orElseThrow();
        assertThat(detail.distributions().get(1).histogram()).containsExactly(0.0, 0.0, 0.0, 1.0);
        assertThat(detail.distributions().get(0).histogram()).containsExactly(0.0, 0.5, 0.0, 0.5);
        assertThat(detail.distributions().get(1).histogramEdges()).containsExactly(-0.5, 0.0, 0.5);
    }

    @Test
    void aWindowCarriesItsSampledReconstructionsAgainstTheValidationLevel() {
        StatsHistory history = new StatsHistory(10, 10);
        LatentStatsWindow sampled = window("m1", T0, 320, 1.4, CENTRED);
        sampled.setSampledPsnr(List.of(18.0, 30.0, 17.0, 19.0, 16.0));
        sampled.setValidationPsnrMedian(26.67);
        sampled.setQualityWarningPsnr(20.66);
        sampled.setQualityScore(1.4);
        history.add(sampled);
        history.add(window("m1", T0.plusSeconds(60), 32, 0.1, CENTRED));

        List<WindowSummary> windows = history.windows("m1", 0).items();

        WindowSummary judged = windows.get(0);
        assertThat(judged.sampledImages()).isEqualTo(5);
        assertThat(judged.sampledPsnr()).isEqualTo(18.0);
        assertThat(judged.validationPsnr()).isEqualTo(26.67);
        assertThat(judged.qualityWarningPsnr()).isEqualTo(20.66);
        assertThat(judged.qualityScore()).isEqualTo(1.4);
        WindowSummary unsampled = windows.get(1);
        assertThat(unsampled.sampledImages()).isZero();
        assertThat(unsampled.sampledPsnr()).isNull();
        assertThat(unsampled.qualityScore()).isNull();
    }

    @Test
    void onlyWhatArrivedAfterTheGivenNumberIsReturned() {
        StatsHistory history = new StatsHistory(10, 10);
        history.add(window("m1", T0, 32, null, CENTRED));
        StatsHistory.Page<WindowSummary> first = history.windows("m1", 0);
        history.add(window("m1", T0.plusSeconds(60), 32, null, CENTRED));

        StatsHistory.Page<WindowSummary> second = history.windows("m1", first.next());

        assertThat(first.items()).hasSize(1);
        assertThat(second.items()).extracting(WindowSummary::start).containsExactly(T0.plusSeconds(60).toEpochMilli());
        assertThat(history.windows("m1", second.next()).items()).isEmpty();
        assertThat(history.windows("unknown-model", 0).items()).isEmpty();
    }

    @Test
    void aWindowFiredAgainWithLateDataReplacesItsEarlierFiring() {
        StatsHistory history = new StatsHistory(10, 10);
        history.add(window("m1", T0, 30, null, CENTRED));
        long seen = history.windows("m1", 0).next();
        history.add(window("m1", T0, 32, null, SHIFTED));

        assertThat(history.windows("m1", 0).items()).singleElement()
                .satisfies(w -> assertThat(w.images()).isEqualTo(32));
        assertThat(history.windows("m1", seen).items()).hasSize(1);
        assertThat(history.window(1)).as("the replaced firing is gone").isEmpty();
    }

    @Test
    void onlyTheLatestWindowsPerModelAndTheLatestAlertsAreKept() {
        StatsHistory history = new StatsHistory(3, 2);
        for (int i = 0; i < 5; i++) {
            history.add(window("m1", T0.plusSeconds(60L * i), 32, null, CENTRED));
            history.add(alert("m1", T0.plusSeconds(60L * i), i, DriftSeverity.OK, DriftSeverity.WARNING, 1.5));
        }
        history.add(window("m2", T0, 32, null, CENTRED));

        assertThat(history.windows("m1", 0).items()).extracting(WindowSummary::start).containsExactly(
                T0.plusSeconds(120).toEpochMilli(), T0.plusSeconds(180).toEpochMilli(), T0.plusSeconds(240).toEpochMilli());
        assertThat(history.windows("m2", 0).items()).hasSize(1);
        assertThat(history.alerts(null, 0).items()).extracting(AlertView::windowIndex).containsExactly(3L, 4L);
        assertThat(history.latest("m1")).get().satisfies(w ->
                assertThat(w.summary().start()).isEqualTo(T0.plusSeconds(240).toEpochMilli()));
    }

    @Test
    void modelsListTheLatestFirstWithTheStateOfTheirLatestAlertAndTheThresholdsOfTheirLatestWindow() {
        StatsHistory history = new StatsHistory(10, 1);
        history.add(window("old", T0, 32, 0.1, CENTRED));
        history.add(window("new", T0.plusSeconds(600), 32, 2.5, SHIFTED));
        history.add(alert("new", T0.plusSeconds(600), 7, DriftSeverity.OK, DriftSeverity.CRITICAL, 2.5,
                finding(0, "MEAN_SHIFT", 3.1, 0.5, 1.0, 0.0)));
        history.add(alert("old", T0, 0, DriftSeverity.OK, DriftSeverity.WARNING, 1.2)); // pushes the first alert out

        List<ModelSummary> models = history.models();

        assertThat(models).extracting(ModelSummary::version).containsExactly("new", "old");
        assertThat(models.get(0).severity()).isEqualTo("CRITICAL");
        assertThat(models.get(0).warningThreshold()).isEqualTo(1.0);
        assertThat(models.get(0).criticalThreshold()).isEqualTo(2.0);
        assertThat(models.get(0).latestDriftScore()).isEqualTo(2.5);
        assertThat(models.get(1).severity()).isEqualTo("WARNING");
        assertThat(models.get(1).warningThreshold()).as("from the window, before any alert said").isEqualTo(1.0);
        assertThat(history.alerts("old", 0).items()).hasSize(1);
        assertThat(history.alerts("new", 0).items()).isEmpty();
    }

    @Test
    void aModelShowsTheLatentSpaceItsPublishedEventNames() {
        StatsHistory history = new StatsHistory(10, 10);
        history.add(window("imported", T0, 32, 0.1, CENTRED));
        history.add(window("unknown", T0.plusSeconds(60), 32, 0.1, CENTRED));
        history.add(ModelEvent.newBuilder().setEventId("e1").setVersion("imported")
                .setType(ModelEventType.PUBLISHED).setTime(T0)
                .setAttributes(Map.of(StatsHistory.LATENT_SPACE_ATTRIBUTE, "ls-0123456789abcdef")).build());

        assertThat(history.models()).extracting(ModelSummary::version, ModelSummary::latentSpace)
                .containsExactly(tuple("unknown", null), tuple("imported", "ls-0123456789abcdef"));
    }

    @Test
    void numbersJsonCannotHoldBecomeGaps() {
        StatsHistory history = new StatsHistory(10, 10);
        history.add(window("m1", T0, 32, Double.NaN, CENTRED));

        assertThat(history.windows("m1", 0).items().get(0).driftScore()).isNull();
    }
}
