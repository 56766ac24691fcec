package io.latentflow.dashboard;

import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.LatentStatsWindow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The windows and alerts the dashboard has read, bounded: per model version the latest {@code maxWindowsPerModel}
 * windows by event time, and the latest {@code maxAlerts} alerts. Thread-safe: the topic reader adds while the web
 * server reads.
 *
 * <p>Every record gets an arrival number ({@code seq}) so the page can ask only for what is new. A window whose model
 * and start are already known replaces the earlier one: a window fires again when late data arrives within its
 * allowed lateness, and the later firing holds everything.
 */
final class StatsHistory {

    private final int maxWindowsPerModel;
    private final int maxAlerts;
    private final Map<String, TreeMap<Long, WindowDetail>> windowsByModel = new HashMap<>();
    private final Map<Long, WindowDetail> windowsBySeq = new HashMap<>();
    private final Deque<AlertView> alerts = new ArrayDeque<>();
    private final Map<String, AlertView> latestAlertByModel = new HashMap<>();
    private final Map<String, String> latentSpaceByModel = new HashMap<>();

    /** The attribute of a PUBLISHED event that names the version's latent space (the registry's ModelHistory). */
    static final String LATENT_SPACE_ATTRIBUTE = "latentSpace";
    private long lastSeq;

    StatsHistory(int maxWindowsPerModel, int maxAlerts) {
        if (maxWindowsPerModel < 1 || maxAlerts < 1) {
            throw new IllegalArgumentException("the dashboard must keep at least one window per model and one alert, got "
                    + maxWindowsPerModel + " windows and " + maxAlerts + " alerts");
        }
        this.maxWindowsPerModel = maxWindowsPerModel;
        this.maxAlerts = maxAlerts;
    }

    synchronized void add(LatentStatsWindow record) {
        WindowDetail window = StatsViews.window(record, ++lastSeq);
        WindowSummary summary = window.summary();
        TreeMap<Long, WindowDetail> windows = windowsByModel.computeIfAbsent(summary.model(), m -> new TreeMap<>());
        WindowDetail replaced = windows.put(summary.start(), window);
        if (replaced != null) {
            windowsBySeq.remove(replaced.summary().seq());
        }
        windowsBySeq.put(summary.seq(), window);
        while (windows.size() > maxWindowsPerModel) {
            windowsBySeq.remove(windows.pollFirstEntry().getValue().summary().seq());
        }
    }

    /** A PUBLISHED event names its version's latent space. */
    synchronized void add(ModelEvent event) {
        String space = event.getAttributes().get(LATENT_SPACE_ATTRIBUTE);
        if (event.getType() == ModelEventType.PUBLISHED && space != null && !space.isEmpty()) {
            latentSpaceByModel.put(event.getVersion(), space);
        }
    }

    /** A latent names its version's latent space too (versions that were never published: the job's own model). */
    synchronized void add(LatentRecord latent) {
        if (!latent.getLatentSpace().isEmpty()) {
            latentSpaceByModel.put(latent.getModelVersion(), latent.getLatentSpace());
        }
    }

    synchronized void add(DriftAlert record) {
        AlertView alert = StatsViews.alert(record, ++lastSeq);
        alerts.addLast(alert);
        latestAlertByModel.merge(alert.model(), alert,
                (held, arrived) -> arrived.windowStart() >= held.windowStart() ? arrived : held);
        while (alerts.size() > maxAlerts) {
            alerts.removeFirst();
        }
    }

    /**
     * Records that arrived after a given arrival number.
     *
     * @param next what to ask {@code after} next time to get only what is newer than these
     */
    record Page<T>(long next, List<T> items) {
    }

    /** The model version's windows that arrived after {@code afterSeq}, in event-time order. */
    synchronized Page<WindowSummary> windows(String model, long afterSeq) {
        TreeMap<Long, WindowDetail> windows = windowsByModel.get(model);
        if (windows == null) {
            return new Page<>(lastSeq, List.of());
        }
        return new Page<>(lastSeq, windows.values().stream()
                .map(WindowDetail::summary)
                .filter(summary -> summary.seq() > afterSeq)
                .toList());
    }

    /** The model version's window with the latest event time. */
    synchronized Optional<WindowDetail> latest(String model) {
        TreeMap<Long, WindowDetail> windows = windowsByModel.get(model);
        return windows == null || windows.isEmpty() ? Optional.empty() : Optional.of(windows.lastEntry().getValue());
    }

    /** A window still held, by its arrival number. */
    synchronized Optional<WindowDetail> window(long seq) {
        return Optional.ofNullable(windowsBySeq.get(seq));
    }

    /** Alerts that arrived after {@code afterSeq}, oldest first; all models when {@code model} is null. */
    synchronized Page<AlertView> alerts(String model, long afterSeq) {
        return new Page<>(lastSeq, alerts.stream()
                .filter(alert -> alert.seq() > afterSeq)
                .filter(alert -> model == null || model.equals(alert.model()))
                .toList());
    }

    /**
     * Every model version with windows, the one with the latest window end first. Its severity comes from its alert of
     * the latest window, kept even after the alert list has dropped it; its thresholds from its latest window.
     */
    synchronized List<ModelSummary> models() {
        List<ModelSummary> models = new ArrayList<>();
        windowsByModel.forEach((model, windows) -> {
            Optional<AlertView> lastAlert = Optional.ofNullable(latestAlertByModel.get(model));
            WindowSummary last = windows.lastEntry().getValue().summary();
            models.add(new ModelSummary(
                    model,
                    windows.size(),
                    windows.firstKey(),
                    last.end(),
                    last.driftScore(),
                    lastAlert.map(AlertView::severity).orElse("OK"),
                    last.warningThreshold() != null ? last.warningThreshold()
                            : lastAlert.map(AlertView::warningThreshold).orElse(null),
                    last.criticalThreshold() != null ? last.criticalThreshold()
                            : lastAlert.map(AlertView::criticalThreshold).orElse(null),
                    latentSpaceByModel.get(model)));
        });
        models.sort(Comparator.comparingLong(ModelSummary::lastWindowEnd).reversed()
                .thenComparing(ModelSummary::version));
        return models;
    }
}
