package io.latentflow.model.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The ablation at equal compute, seeds pooled: per arm, reconstruction with a paired bootstrap interval against the
 * baseline (each image's figure averaged over the arm's seeds, minus the same for the baseline's seeds, resampled over
 * images), the axes a diffusion model cares about (high-frequency share, scale equivariance, robustness to latent
 * noise raw and denoised, values outside [-1, 1]), and the learning curve: seed-mean PSNR at every evaluation along the
 * budget with the arms' ranking, and whether that ranking changed between the last two evaluations (if it did, the
 * budget was too short to rank the arms), pairs that no seed and no interval can order apart.
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
        return arm.seeds().stream().mapToDouble(row -> pointAt(row, index).map(CurvePoint::psnr).orElse(Double.NaN))
                .average().orElse(Double.NaN);
    }

    /** A run's evaluation at the baseline's {@code index}-th fraction of the budget, if it has one. */
    private Optional<CurvePoint> pointAt(AblationRow row, int index) {
        double fraction = fractions().get(index);
        return row.curve().stream().filter(point -> Math.abs(point.fraction() - fraction) < 1e-9).findFirst();
    }

    /** Arm names from best to worst seed-mean PSNR at the {@code index}-th evaluation; arms without it last. */
    public List<String> rankingAt(int index) {
        return arms.stream().sorted(Comparator.comparingDouble((Arm arm) -> {
            double psnr = psnrAt(arm, index);
            return Double.isNaN(psnr) ? Double.POSITIVE_INFINITY : -psnr;
        })).map(Arm::name).toList();
    }

    /**
     * Whether the ranking changed between the last two evaluations (false with one evaluation), not counting pairs
     * the data could order at neither of them ({@link #unresolvedSwapsAtEnd}): two arms tied within their noise swap
     * places by chance at any budget, and no longer run would settle them.
     */
    public boolean rankingChangedAtEnd() {
        return swapsAtEnd().stream().anyMatch(swap -> !swap.tied());
    }

    /** The pairs that swapped between the last two evaluations and are tied at both of them. */
    public List<Swap> unresolvedSwapsAtEnd() {
        return swapsAtEnd().stream().filter(Swap::tied).toList();
    }

    /**
     * Two arms that swapped places between the last two evaluations: {@code first} ranked above {@code second} before
     * and below it at the end.
     *
     * @param difference {@code first} minus {@code second} at the end, per image (seed means), with its interval
     * @param tied       the data orders them at neither evaluation ({@link #ordered})
     */
    public record Swap(Arm first, Arm second, PairedBootstrap.Interval difference, boolean tied) {
    }

    private List<Swap> swapsAtEnd() {
        int last = fractions().size() - 1;
        List<Swap> swaps = new ArrayList<>();
        if (last < 1) {
            return swaps;
        }
        List<String> before = rankingAt(last - 1);
        List<String> after = rankingAt(last);
        for (Arm a : arms) {
            for (Arm b : arms) {
                if (before.indexOf(a.name()) < before.indexOf(b.name())
                        && after.indexOf(a.name()) > after.indexOf(b.name())) {
                    swaps.add(new Swap(a, b, bootstrap.ofDifferences(imagePsnrAt(b, last), imagePsnrAt(a, last)),
                            !ordered(a, b, last - 1) && !ordered(a, b, last)));
                }
            }
        }
        return swaps;
    }

    /**
     * Whether the data orders two arms at the {@code index}-th evaluation: every seed they share puts them in the same
     * order, and the paired bootstrap interval over images of their seed-mean difference excludes 0. The interval alone
     * is not enough: it covers which images were chosen, not the training's randomness, which a second seed shows.
     */
    boolean ordered(Arm a, Arm b, int index) {
        PairedBootstrap.Interval difference = bootstrap.ofDifferences(imagePsnrAt(b, index), imagePsnrAt(a, index));
        if (difference.low() <= 0 && difference.high() >= 0) {
            return false;
        }
        double sign = Math.signum(difference.mean());
        for (AblationRow seedOfA : a.seeds()) {
            for (AblationRow seedOfB : b.seeds()) {
                if (seedOfA.seed() == seedOfB.seed()
                        && Math.signum(point(seedOfA, index).psnr() - point(seedOfB, index).psnr()) != sign) {
                    return false;
                }
            }
        }
        return true;
    }

    private CurvePoint point(AblationRow row, int index) {
        return pointAt(row, index).orElseThrow(() -> new IllegalArgumentException("run " + row.name() + " (seed "
                + row.seed() + ") has no evaluation at " + fractions().get(index) + " of its budget"));
    }

    private double[] imagePsnrAt(Arm arm, int index) {
        return seedMean(arm, row -> point(row, index).imagePsnr());
    }

    /** Arm minus baseline at the end of the budget, per image (seed means), with its bootstrap interval. */
    public PairedBootstrap.Interval againstBaseline(Arm arm, Function<CurvePoint, double[]> figure) {
        return bootstrap.ofDifferences(seedMean(arms.get(0), row -> figure.apply(row.end())),
                seedMean(arm, row -> figure.apply(row.end())));
    }

    private static double[] seedMean(Arm arm, Function<AblationRow, double[]> figure) {
        double[] sum = null;
        for (AblationRow row : arm.seeds()) {
            double[] values = figure.apply(row);
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
        List<Swap> tied = unresolvedSwapsAtEnd();
        if (rankingChangedAtEnd()) {
            out.append("\n**The ranking changed between the last two evaluations: this budget does not settle it.**\n");
        } else if (tied.isEmpty()) {
            out.append("\nThe ranking did not change between the last two evaluations.\n");
        } else {
            out.append("\nThe ranking did not change between the last two evaluations but for arms the data orders at"
                    + " neither of them (tied: a seed ranks them the other way, or the interval over images holds 0):"
                    + "\n\n");
            for (Swap swap : tied) {
                out.append(String.format(Locale.ROOT, "- %s and %s: %s dB at the end%n", swap.first().label(),
                        swap.second().label(), interval(swap.difference(), "%+.2f")));
            }
        }
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
        root.put("tiedSwapsAtEnd", unresolvedSwapsAtEnd().stream().map(swap -> List.of(swap.first().name(),
                swap.second().name())).toList());
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
