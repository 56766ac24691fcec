package io.latentflow.model.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The ablation at equal compute, seeds pooled: per arm, reconstruction with a paired bootstrap interval against the
 * baseline (each image's figure averaged over the arm's seeds, minus the same for the baseline's seeds, resampled over
 * images), the axes a diffusion model cares about (high-frequency share, scale equivariance, robustness to latent
 * noise raw and denoised, values outside [-1, 1]), and the learning curve: seed-mean PSNR at every evaluation along the
 * budget with the arms' ranking, and whether that ranking changed between the last two evaluations (if it did, the
 * budget was too short to rank the arms).
 */
public final class EqualComputeComparison {

    private static final String[] NOISE = {"0.1", "0.2"};

    private final List<Arm> arms;
    private final PairedBootstrap bootstrap = PairedBootstrap.defaults();

    /** One arm: its runs, one per seed. */
    public record Arm(String name, String label, List<AblationRow> seeds) {
    }

    /** @param rows every run of every seed; the first run's arm is the baseline */
    public EqualComputeComparison(List<AblationRow> rows) {
        Map<String, List<AblationRow>> byName = new LinkedHashMap<>();
        for (AblationRow row : rows) {
            if (row.curve().isEmpty()) {
                throw new IllegalArgumentException("run " + row.name() + " (seed " + row.seed() + ") has no learning"
                        + " curve in its metrics.json: train it with --curve (the ablation does at a time budget)");
            }
            byName.computeIfAbsent(row.name(), name -> new ArrayList<>()).add(row);
        }
        this.arms = byName.values().stream().map(seeds -> new Arm(seeds.get(0).name(), seeds.get(0).label(),
                List.copyOf(seeds))).toList();
    }

    public List<Arm> arms() {
        return arms;
    }

    /** The fractions of the budget every arm was evaluated at (the baseline's curve). */
    public List<Double> fractions() {
        return arms.get(0).seeds().get(0).curve().stream().map(CurvePoint::fraction).toList();
    }

    /**
     * Seed-mean PSNR of an arm at the baseline's {@code index}-th evaluation, matched by fraction of the budget; NaN
     * where a seed lacks it (a run resumed from a checkpoint has no points from before the resume).
     */
    public double psnrAt(Arm arm, int index) {
        double fraction = fractions().get(index);
        return arm.seeds().stream().mapToDouble(row -> row.curve().stream()
                .filter(point -> Math.abs(point.fraction() - fraction) < 1e-9).mapToDouble(CurvePoint::psnr)
                .findFirst().orElse(Double.NaN)).average().orElse(Double.NaN);
    }

    /** Arm names from best to worst seed-mean PSNR at the {@code index}-th evaluation; arms without it last. */
    public List<String> rankingAt(int index) {
        return arms.stream().sorted(Comparator.comparingDouble((Arm arm) -> {
            double psnr = psnrAt(arm, index);
            return Double.isNaN(psnr) ? Double.POSITIVE_INFINITY : -psnr;
        })).map(Arm::name).toList();
    }

    /** Whether the ranking at the last evaluation differs from the one before it (false with one evaluation). */
    public boolean rankingChangedAtEnd() {
        int last = fractions().size() - 1;
        return last > 0 && !rankingAt(last).equals(rankingAt(last - 1));
    }

    /** Arm minus baseline at the end of the budget, per image (seed means), with its bootstrap interval. */
    public PairedBootstrap.Interval againstBaseline(Arm arm, Function<CurvePoint, double[]> figure) {
        return bootstrap.ofDifferences(seedMean(arms.get(0), figure), seedMean(arm, figure));
    }

    private static double[] seedMean(Arm arm, Function<CurvePoint, double[]> figure) {
        double[] sum = null;
        for (AblationRow row : arm.seeds()) {
            double[] values = figure.apply(row.end());
            if (sum == null) {
                sum = new double[values.length];
            } else if (values.length != sum.length) {
                throw new IllegalArgumentException("arm " + arm.name() + ": its seeds were evaluated on different"
                        + " numbers of images (" + sum.length + ", " + values.length + "): use the same --images");
            }
            for (int i = 0; i < values.length; i++) {
                sum[i] += values[i] / arm.seeds().size();
            }
        }
        return sum;
    }

    private static double mean(Arm arm, ToDoubleFunction<AblationRow> figure) {
        return arm.seeds().stream().mapToDouble(figure).average().orElse(Double.NaN);
    }

    public String markdown() {
        StringBuilder out = new StringBuilder();
        String baseline = arms.get(0).label();
        out.append(String.format(Locale.ROOT, "At the end of the budget, seeds pooled (%s; the interval: paired"
                + " bootstrap 95 %% over images against %s):%n%n", seedCounts(), baseline));
        out.append("| arm | steps per seed | PSNR dB | vs baseline dB [95 % CI] | SSIM | vs baseline [95 % CI] |"
                + " high frequency latents / images | PSNR decoding 2x / 4x downsampled |"
                + " PSNR lost at noise 0.1 / 0.2 std, raw | the same, denoised | outside [-1,1] |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Arm arm : arms) {
            double psnr = mean(arm, row -> row.validation().psnr());
            PairedBootstrap.Interval dPsnr = againstBaseline(arm, CurvePoint::imagePsnr);
            PairedBootstrap.Interval dSsim = againstBaseline(arm, CurvePoint::imageSsim);
            out.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %s | %.4f | %s | %.1f %% / %.1f %% | %.2f / %.2f"
                            + " | %s | %s | %.1f %% |%n", arm.label(), steps(arm), psnr,
                    arm == arms.get(0) ? "" : interval(dPsnr, "%+.2f"), mean(arm, row -> row.validation().ssim()),
                    arm == arms.get(0) ? "" : interval(dSsim, "%+.4f"),
                    100 * mean(arm, row -> row.validation().spectrum().latentHighFrequency()),
                    100 * mean(arm, row -> row.validation().spectrum().imageHighFrequency()),
                    mean(arm, row -> row.validation().scaleEquivariance().getOrDefault("2", Double.NaN)),
                    mean(arm, row -> row.validation().scaleEquivariance().getOrDefault("4", Double.NaN)),
                    lost(arm, row -> row.validation().robustnessPsnr()),
                    lost(arm, row -> row.end().robustnessPsnrDenoised()),
                    100 * mean(arm, row -> row.validation().fractionOutsideUnit())));
        }
        out.append("\nThe curve: seed-mean PSNR dB at each evaluation along the budget (fraction of it), and the"
                + " ranking by it:\n\n| arm |");
        List<Double> fractions = fractions();
        fractions.forEach(f -> out.append(String.format(Locale.ROOT, " %.2f |", f)));
        out.append("\n| --- |").append(" --- |".repeat(fractions.size())).append('\n');
        for (Arm arm : arms) {
            out.append("| ").append(arm.label()).append(" |");
            for (int i = 0; i < fractions.size(); i++) {
                out.append(String.format(Locale.ROOT, " %.2f |", psnrAt(arm, i)));
            }
            out.append('\n');
        }
        out.append('\n');
        for (int i = 0; i < fractions.size(); i++) {
            out.append(String.format(Locale.ROOT, "- ranking at %.2f: %s%n", fractions.get(i),
                    String.join(" > ", rankingAt(i).stream().map(this::label).toList())));
        }
        out.append(rankingChangedAtEnd() ? "\n**The ranking changed between the last two evaluations: this budget"
                + " does not settle it.**\n" : "\nThe ranking did not change between the last two evaluations.\n");
        return out.toString();
    }

    /** The same figures for ablation.json. */
    public Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("baseline", arms.get(0).name());
        root.put("fractions", fractions());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Arm arm : arms) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", arm.name());
            entry.put("seeds", arm.seeds().stream().map(AblationRow::seed).toList());
            entry.put("steps", arm.seeds().stream().map(AblationRow::steps).toList());
            entry.put("psnr", mean(arm, row -> row.validation().psnr()));
            entry.put("psnrVsBaseline", againstBaseline(arm, CurvePoint::imagePsnr));
            entry.put("ssim", mean(arm, row -> row.validation().ssim()));
            entry.put("ssimVsBaseline", againstBaseline(arm, CurvePoint::imageSsim));
            List<Double> curve = new ArrayList<>();
            for (int i = 0; i < fractions().size(); i++) {
                curve.add(psnrAt(arm, i));
            }
            entry.put("curvePsnr", curve);
            list.add(entry);
        }
        root.put("arms", list);
        List<List<String>> rankings = new ArrayList<>();
        for (int i = 0; i < fractions().size(); i++) {
            rankings.add(rankingAt(i));
        }
        root.put("rankings", rankings);
        root.put("rankingChangedAtEnd", rankingChangedAtEnd());
        return root;
    }

    private String label(String name) {
        return arms.stream().filter(arm -> arm.name().equals(name)).findFirst().map(Arm::label).orElse(name);
    }

    private String seedCounts() {
        return arms.stream().map(arm -> arm.seeds().size()).distinct().count() == 1
                ? arms.get(0).seeds().size() + " seed" + (arms.get(0).seeds().size() == 1 ? "" : "s") + " per arm"
                : "seeds per arm differ";
    }

    private static String steps(Arm arm) {
        return String.join(" / ", arm.seeds().stream().map(row -> String.valueOf(row.steps())).toList());
    }

    private static String interval(PairedBootstrap.Interval interval, String format) {
        return String.format(Locale.ROOT, format + " [" + format + ", " + format + "]", interval.mean(),
                interval.low(), interval.high());
    }

    /** Seed-mean PSNR lost to noise of 0.1 and 0.2 std, against the clean reconstruction. */
    private static String lost(Arm arm, Function<AblationRow, Map<String, Double>> noisy) {
        StringBuilder out = new StringBuilder();
        for (String sigma : NOISE) {
            double lost = mean(arm, row -> row.validation().psnr()
                    - noisy.apply(row).getOrDefault(sigma, Double.NaN));
            out.append(out.isEmpty() ? "" : " / ").append(String.format(Locale.ROOT, "%.2f", lost));
        }
        return out.toString();
    }
}
