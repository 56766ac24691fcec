package io.latentflow.model.eval;

import java.util.Locale;
import java.util.Map;

/** An {@link EvaluationReport} as text for people (the CLI's default output). */
public final class EvaluationTable {

    private EvaluationTable() {
    }

    public static String format(EvaluationReport report) {
        StringBuilder out = new StringBuilder();
        line(out, "model", "%s (%s)", report.modelVersion(), report.model());
        line(out, "images", "%d at %dx%d, latents %dx%dx%d", report.images(), report.imageHeight(),
                report.imageWidth(), report.latentChannels(), report.latentHeight(), report.latentWidth());
        line(out, "PSNR", "%.2f dB", report.psnr());
        line(out, "SSIM", "%.4f", report.ssim());
        line(out, "latent mean", "%.4f", report.latentMean());
        line(out, "latent std", "%.4f  (scale factor 1/std = %.4f)", report.latentStd(), report.scaleFactor());
        line(out, "outside [-1,1]", "%.3f %%", 100 * report.fractionOutsideUnit());
        line(out, "black holes", "%d latent positions beyond %.0f reference std in some channel, worst |z| %.2f",
                report.blackHolePositions(), report.blackHoleThreshold(), report.worstZ());
        for (Map.Entry<String, Double> entry : report.robustnessPsnr().entrySet()) {
            line(out, "noise " + entry.getKey() + " std", "%.2f dB (%+.2f dB)", entry.getValue(),
                    entry.getValue() - report.psnr());
        }
        if (report.spectrum() != null) {
            line(out, "high frequency", "%.1f %% of the latents' spectrum above half Nyquist, images at latent size"
                    + " %.1f %%", 100 * report.spectrum().latentHighFrequency(),
                    100 * report.spectrum().imageHighFrequency());
        }
        for (Map.Entry<String, Double> entry : report.scaleEquivariance().entrySet()) {
            line(out, "downsampled " + entry.getKey() + "x", "%.2f dB decoding the %sx-downsampled latent",
                    entry.getValue(), entry.getKey());
        }
        out.append(String.format(Locale.ROOT, "%n%-8s %10s %10s %10s %10s%n", "channel", "mean", "std", "min", "max"));
        for (int c = 0; c < report.latentChannels(); c++) {
            out.append(String.format(Locale.ROOT, "%-8d %10.4f %10.4f %10.4f %10.4f%n", c,
                    report.channelMean().get(c), report.channelStd().get(c), report.channelMin().get(c),
                    report.channelMax().get(c)));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String label, String format, Object... args) {
        out.append(String.format(Locale.ROOT, "%-16s ", label)).append(String.format(Locale.ROOT, format, args))
                .append(System.lineSeparator());
    }
}
