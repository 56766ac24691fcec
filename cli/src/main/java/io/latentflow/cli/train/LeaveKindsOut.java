package io.latentflow.cli.train;

import io.latentflow.model.drift.BrokenExposure;
import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftFinding;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.RepeatedPixels;
import io.latentflow.model.drift.Severity;
import io.latentflow.model.drift.WindowAccumulator;
import io.latentflow.model.drift.WindowStatistics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The drift monitor judged leave-category-out: on kinds of images (macro photos, night photos, flat vector art,
 * pixel art, ...) held out of everything that chose its levels. The monitor as shipped reads every level from the
 * model's reference profile ({@link DriftScorer} with its thresholds), so no kind of the evaluation set chose
 * anything and every kind is held out; beside it, a level read from data is read per held-out kind from the photo
 * windows of the OTHER kinds only, and judged on the held-out one.
 *
 * <p>Each kind is streamed in the two shapes a service sees: one source per window (a camera, a customer, a crawl
 * sends many frames of one scene: the windows of {@value #WINDOW} crops follow the images one after another, every
 * image in turn first), and sources mixed within windows (every crop of the kind in a random order, {@code streams}
 * orders). Photo windows count false alarms; a stream of new content (every category but photos) or of darkened
 * photos counts as alerted when one of its first 2 windows, both wholly of the new content, alerts.
 */
public final class LeaveKindsOut {

    /** Images per window, as the monitor's windows are measured and its levels read ({@code ReferenceImages}). */
    static final int WINDOW = 32;
    /** Windows after the switch within which a stream must be alerted. */
    static final int WITHIN = 2;

    /** The targets on held-out kinds. */
    static final double FALSE_ALARMS_MIXED = 0.01;
    static final double FALSE_ALARMS_ONE_SOURCE = 0.05;
    static final double NEW_CONTENT_ALERTED = 0.90;
    static final double DARKENED_ALERTED = 0.80;

    /** The report's columns: photo windows alerted, new-content streams alerted, darkened-photo streams alerted. */
    private static final List<String> COLUMNS = List.of("photoWindowsAlerted", "newContentAlerted",
            "darkenedAlerted");

    /** How the sources of a stream share its windows. */
    enum Shape {
        ONE_SOURCE("one source per window", FALSE_ALARMS_ONE_SOURCE),
        MIXED("sources mixed within windows", FALSE_ALARMS_MIXED);

        final String description;
        final double falseAlarmTarget;

        Shape(String description, double falseAlarmTarget) {
            this.description = description;
            this.falseAlarmTarget = falseAlarmTarget;
        }
    }

    /**
     * A window's drift score and what passed its level (pathologies included), and its EXPOSURE and REPEATED_PIXELS
     * scores alone (0 without a verdict): how near an ordinary photo window comes to them.
     */
    private record Window(double score, boolean pathology, List<String> fired, double exposure,
                          double repeatedPixels) {

        static Window of(DriftAssessment assessment, double exposure, double repeatedPixels) {
            return new Window(assessment.score(), assessment.hasPathology(), assessment.findings().stream()
                    .map(DriftFinding::statistic).map(Enum::name).distinct().toList(), exposure, repeatedPixels);
        }

        boolean alertsAt(double level) {
            return pathology || score >= level;
        }
    }

    /** One held-out kind in one shape: its photo windows, or its streams' first windows. */
    private static final class Judged {
        final List<Window> photoWindows = new ArrayList<>();
        final List<List<Window>> streams = new ArrayList<>();
        final List<List<Window>> darkenedStreams = new ArrayList<>();
    }

    /** A rate and what it counts. */
    record Rate(int hits, int of) {
        double value() {
            return of == 0 ? Double.NaN : (double) hits / of;
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("count", hits);
            map.put("of", of);
            map.put("rate", of == 0 ? null : value());
            return map;
        }

        Rate plus(Rate other) {
            return new Rate(hits + other.hits, of + other.of);
        }
    }

    private final ReferenceProfile reference;
    private final DriftScorer scorer;
    private final int streams;
    private final long seed;

    public LeaveKindsOut(DriftScorer scorer, int streams, long seed) {
        this.reference = scorer.reference();
        this.scorer = scorer;
        this.streams = streams;
        this.seed = seed;
    }

    /** Prints the tables on {@code out} and returns the same figures as a report. */
    public Map<String, Object> run(List<KindCrops.Crop> crops, PrintWriter out) {
        Map<String, List<KindCrops.Crop>> byKind = new LinkedHashMap<>();
        Map<KindCrops.Crop, Double> novelty = new java.util.IdentityHashMap<>();
        for (KindCrops.Crop crop : crops) {
            byKind.computeIfAbsent(crop.category() + "/" + crop.kind(), k -> new ArrayList<>()).add(crop);
            novelty.put(crop, reference.novelty(crop.latent()));
        }
        Map<String, Map<Shape, Judged>> judged = new LinkedHashMap<>();
        for (Map.Entry<String, List<KindCrops.Crop>> kind : byKind.entrySet()) {
            Map<Shape, Judged> shapes = new LinkedHashMap<>();
            for (Shape shape : Shape.values()) {
                shapes.put(shape, judge(kind.getValue(), shape, novelty, new Random(seed + kind.getKey().hashCode())));
            }
            judged.put(kind.getKey(), shapes);
        }
        out.printf(Locale.ROOT, "%nleave-category-out: model %s against its reference (%s), windows of %d crops,"
                        + " %d mixed orders per kind (seed %d)%n", reference.modelVersion(), reference.source(),
                WINDOW, streams, seed);
        out.printf(Locale.ROOT, "  targets on held-out kinds: photo windows alerted <= %.0f %% one source per window,"
                        + " <= %.0f %% mixed; new content alerted within %d windows in >= %.0f %% of streams; photos"
                        + " at 1/%d brightness in >= %.0f %%%n", 100 * FALSE_ALARMS_ONE_SOURCE,
                100 * FALSE_ALARMS_MIXED, WITHIN, 100 * NEW_CONTENT_ALERTED, KindCrops.DARKENING,
                100 * DARKENED_ALERTED);
        if (reference.exposure() == null) {
            out.println("  the reference profile has no exposure levels: no EXPOSURE verdict (./latentflow profile"
                    + " writes them)");
        } else {
            out.printf(Locale.ROOT, "  EXPOSURE levels read from the reference's %d images: highlights below %.3f"
                            + " (its darkest 1 %%), shadows above %.3f (its brightest 1 %%)%n",
                    reference.exposure().images(), reference.exposure().darkestHighlight(),
                    reference.exposure().brightestShadow());
        }
        Optional<RepeatedPixels> repeats = scorer.repeatedPixels();
        if (repeats.isPresent()) {
            out.printf(Locale.ROOT, "  REPEATED_PIXELS level read from the reference's images: a window's median share"
                    + " of repeated pixels above %.3f (its highest window's)%n", repeats.get().level());
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", reference.modelVersion());
        report.put("reference", reference.source());
        report.put("exposureLevels", reference.exposure() == null ? null : Map.of(
                "darkestHighlight", reference.exposure().darkestHighlight(),
                "brightestShadow", reference.exposure().brightestShadow()));
        report.put("repeatedPixelsLevel", repeats.map(RepeatedPixels::level).orElse(null));
        report.put("windowImages", WINDOW);
        report.put("withinWindows", WITHIN);
        report.put("mixedStreams", streams);
        report.put("seed", seed);
        report.put("asShipped", table("as shipped: every level read from the reference (score 1 or a pathology"
                + " alerts)", judged, kind -> 1.0, out));
        Map<String, Double> levels = new LinkedHashMap<>();
        for (String kind : judged.keySet()) {
            levels.put(kind, levelFromOtherKinds(judged, kind));
        }
        report.put("levelFromOtherKinds", table("a drift-score level read from the OTHER kinds' photo windows (their"
                + " 99th percentile mixed, 95th one source per window, whichever is higher)", judged, levels::get, out));
        out.println("  (n/N: windows alerted of photo windows; streams alerted within " + WITHIN + " windows of"
                + " new-content or darkened streams; ! misses its target; fired: statistics past their shipped levels in"
                + " the alerted windows (the first alerted window of a stream), counted once per window)");
        out.flush();
        return report;
    }

    private Judged judge(List<KindCrops.Crop> kind, Shape shape, Map<KindCrops.Crop, Double> novelty, Random random) {
        Judged judged = new Judged();
        boolean photo = kind.get(0).category().equals(KindCrops.PHOTO);
        List<KindCrops.Crop> plain = kind.stream().filter(c -> !c.darkened()).toList();
        List<KindCrops.Crop> dark = kind.stream().filter(KindCrops.Crop::darkened).toList();
        List<List<KindCrops.Crop>> orders = orders(plain, shape, random);
        for (List<KindCrops.Crop> order : orders) {
            if (photo) {
                // a one-source order rotates the same images: count each photo window once
                int windows = shape == Shape.ONE_SOURCE && order != orders.get(0) ? 0 : order.size() / WINDOW;
                judged.photoWindows.addAll(windows(order, windows, novelty));
            } else {
                judged.streams.add(windows(order, WITHIN, novelty));
            }
        }
        if (photo) {
            for (List<KindCrops.Crop> order : orders(dark, shape, random)) {
                judged.darkenedStreams.add(windows(order, WITHIN, novelty));
            }
        }
        return judged;
    }

    /**
     * One source per window: the images one after another, each image in turn first. Mixed: all crops shuffled,
     * {@code streams} times.
     */
    private List<List<KindCrops.Crop>> orders(List<KindCrops.Crop> crops, Shape shape, Random random) {
        List<List<KindCrops.Crop>> orders = new ArrayList<>();
        if (shape == Shape.MIXED) {
            for (int s = 0; s < streams; s++) {
                List<KindCrops.Crop> order = new ArrayList<>(crops);
                Collections.shuffle(order, random);
                orders.add(order);
            }
            return orders;
        }
        List<String> sources = crops.stream().map(KindCrops.Crop::source).distinct().toList();
        for (int first = 0; first < sources.size(); first++) {
            List<KindCrops.Crop> order = new ArrayList<>();
            for (int k = 0; k < sources.size(); k++) {
                String source = sources.get((first + k) % sources.size());
                crops.stream().filter(c -> c.source().equals(source)).forEach(order::add);
            }
            orders.add(order);
        }
        return orders;
    }

    private List<Window> windows(List<KindCrops.Crop> order, int count, Map<KindCrops.Crop, Double> novelty) {
        List<Window> windows = new ArrayList<>();
        for (int w = 0; w < count && (w + 1) * WINDOW <= order.size(); w++) {
            WindowAccumulator accumulator = new WindowAccumulator(reference, 0);
            for (int i = w * WINDOW; i < (w + 1) * WINDOW; i++) {
                KindCrops.Crop crop = order.get(i);
                accumulator.add("crop-" + i, crop.source(), i, crop.latent(), novelty.get(crop), Double.NaN,
                        crop.exposure());
            }
            WindowStatistics statistics = accumulator.result();
            windows.add(Window.of(scorer.assess(statistics), scorer.exposure()
                    .flatMap(rule -> rule.judge(statistics.exposure())).map(BrokenExposure.Verdict::score)
                    .orElse(0.0), scorer.repeatedPixels().flatMap(rule -> rule.judge(statistics.exposure()))
                    .map(RepeatedPixels.Verdict::score).orElse(0.0)));
        }
        return windows;
    }

    /**
     * The lowest drift-score level that keeps the other photo kinds' windows within both false-alarm targets; NaN when
     * there is no other photo kind.
     */
    /** A kind's photo windows' highest value of one score, per stream shape. */
    private static Map<String, Object> highest(Map<Shape, Judged> kind, ToDoubleFunction<Window> score) {
        Map<String, Object> highest = new LinkedHashMap<>();
        for (Shape shape : Shape.values()) {
            highest.put(shape == Shape.MIXED ? "mixed" : "oneSource",
                    kind.get(shape).photoWindows.stream().mapToDouble(score).max().orElse(0));
        }
        return highest;
    }

    private static double levelFromOtherKinds(Map<String, Map<Shape, Judged>> judged, String heldOut) {
        double level = 0;
        for (Shape shape : Shape.values()) {
            List<Double> scores = new ArrayList<>();
            judged.forEach((kind, shapes) -> {
                if (!kind.equals(heldOut)) {
                    shapes.get(shape).photoWindows.forEach(w -> scores.add(w.score()));
                }
            });
            if (scores.isEmpty()) {
                return Double.NaN; // no other photo kind to read it from
            }
            Collections.sort(scores);
            int at = Math.min(scores.size() - 1, (int) Math.ceil((1 - shape.falseAlarmTarget) * scores.size()) - 1);
            // just above that quantile: a window alerts at or above the level
            level = Math.max(level, Math.nextUp(scores.get(Math.max(0, at))));
        }
        return level;
    }

    private interface LevelOf {
        double of(String kind);
    }

    private Map<String, Object> table(String title, Map<String, Map<Shape, Judged>> judged, LevelOf levelOf,
                                      PrintWriter out) {
        out.printf(Locale.ROOT, "%n  %s%n", title);
        out.printf(Locale.ROOT, "  %-30s %6s | %-21s | %-21s | %-21s | %s%n", "", "", "photo windows alerted",
                "new content <= " + WITHIN + " wins", "1/" + KindCrops.DARKENING + " bright <= " + WITHIN + " wins",
                "");
        out.printf(Locale.ROOT, "  %-30s %6s | %10s %10s | %10s %10s | %10s %10s | %s%n", "held-out kind", "level",
                "1 source", "mixed", "1 source", "mixed", "1 source", "mixed", "fired");
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<Shape, Rate[]> overall = new LinkedHashMap<>();
        for (Shape shape : Shape.values()) {
            overall.put(shape, new Rate[] {new Rate(0, 0), new Rate(0, 0), new Rate(0, 0)});
        }
        for (Map.Entry<String, Map<Shape, Judged>> kind : judged.entrySet()) {
            double level = levelOf.of(kind.getKey());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("kind", kind.getKey());
            row.put("level", Double.isNaN(level) ? null : level);
            Map<String, Integer> fired = new TreeMap<>();
            StringBuilder cells = new StringBuilder();
            for (int column = 0; column < COLUMNS.size(); column++) {
                for (Shape shape : Shape.values()) {
                    Judged one = kind.getValue().get(shape);
                    Rate rate = Double.isNaN(level) ? new Rate(0, 0) : switch (column) {
                        case 0 -> alerted(one.photoWindows, level, fired);
                        case 1 -> alertedStreams(one.streams, level, fired);
                        default -> alertedStreams(one.darkenedStreams, level, fired);
                    };
                    overall.get(shape)[column] = overall.get(shape)[column].plus(rate);
                    boolean missed = misses(column, shape, rate);
                    cells.append(String.format(Locale.ROOT, " %10s", cell(rate, missed)));
                    @SuppressWarnings("unchecked")
                    Map<String, Object> byShape = (Map<String, Object>) row.computeIfAbsent(COLUMNS.get(column),
                            k -> new LinkedHashMap<String, Object>());
                    if (rate.of() > 0) {
                        byShape.put(shape == Shape.MIXED ? "mixed" : "oneSource", rate.toMap());
                    }
                    if (column < COLUMNS.size() - 1 && shape == Shape.MIXED) {
                        cells.append(" |");
                    }
                }
            }
            row.entrySet().removeIf(e -> e.getValue() instanceof Map<?, ?> map && map.isEmpty());
            row.put("fired", fired);
            String exposure = "";
            if (!kind.getValue().get(Shape.MIXED).photoWindows.isEmpty()) {
                Map<String, Object> highest = highest(kind.getValue(), Window::exposure);
                Map<String, Object> highestRepeats = highest(kind.getValue(), Window::repeatedPixels);
                row.put("photoWindowsHighestExposure", highest);
                row.put("photoWindowsHighestRepeatedPixels", highestRepeats);
                exposure = String.format(Locale.ROOT, " (photo windows' EXPOSURE at most %.2f / %.2f,"
                                + " REPEATED_PIXELS %.2f / %.2f)", (double) highest.get("oneSource"),
                        (double) highest.get("mixed"), (double) highestRepeats.get("oneSource"),
                        (double) highestRepeats.get("mixed"));
            }
            rows.add(row);
            out.printf(Locale.ROOT, "  %-30s %6.2f |%s | %s%s%n", kind.getKey(), level, cells, fired, exposure);
        }
        StringBuilder cells = new StringBuilder();
        Map<String, Object> totals = new LinkedHashMap<>();
        for (int column = 0; column < COLUMNS.size(); column++) {
            Map<String, Object> byShape = new LinkedHashMap<>();
            for (Shape shape : Shape.values()) {
                Rate rate = overall.get(shape)[column];
                boolean missed = misses(column, shape, rate);
                cells.append(String.format(Locale.ROOT, " %10s", cell(rate, missed)));
                byShape.put(shape == Shape.MIXED ? "mixed" : "oneSource", rate.toMap());
                if (column < COLUMNS.size() - 1 && shape == Shape.MIXED) {
                    cells.append(" |");
                }
            }
            totals.put(COLUMNS.get(column), byShape);
        }
        out.printf(Locale.ROOT, "  %-30s %6s |%s |%n", "all held-out kinds", "", cells);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("kinds", rows);
        result.put("overall", totals);
        return result;
    }

    /** Whether a rate of a column misses its target (a NaN rate, of nothing, misses nothing). */
    private static boolean misses(int column, Shape shape, Rate rate) {
        return switch (column) {
            case 0 -> rate.value() > shape.falseAlarmTarget;
            case 1 -> rate.value() < NEW_CONTENT_ALERTED;
            default -> rate.value() < DARKENED_ALERTED;
        };
    }

    private static Rate alerted(List<Window> windows, double level, Map<String, Integer> fired) {
        int hits = 0;
        for (Window window : windows) {
            if (window.alertsAt(level)) {
                hits++;
                window.fired().forEach(name -> fired.merge(name, 1, Integer::sum));
            }
        }
        return new Rate(hits, windows.size());
    }

    private static Rate alertedStreams(List<List<Window>> streams, double level, Map<String, Integer> fired) {
        int hits = 0;
        for (List<Window> stream : streams) {
            Window first = stream.stream().filter(w -> w.alertsAt(level)).findFirst().orElse(null);
            if (first != null) {
                hits++;
                first.fired().forEach(name -> fired.merge(name, 1, Integer::sum));
            }
        }
        return new Rate(hits, streams.size());
    }

    private static String cell(Rate rate, boolean missed) {
        if (rate.of() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%s%d/%d", missed ? "!" : "", rate.hits(), rate.of());
    }
}
