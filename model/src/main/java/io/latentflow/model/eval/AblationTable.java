package io.latentflow.model.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ablation's runs side by side: a Markdown table of their validation figures, and the same as JSON. Besides
 * reconstruction and the latent distribution: the steps each run did (at equal compute they differ), the share of the
 * latents' spectrum above half Nyquist beside the images' at the latent's size, and the PSNR of decoding the 2x- and
 * 4x-downsampled latent.
 */
public final class AblationTable {

    private static final double[] NOISE_SIGMAS = {0.05, 0.1, 0.2};
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AblationTable() {
    }

    public static String markdown(List<AblationRow> rows) {
        StringBuilder out = new StringBuilder();
        out.append("| run | PSNR dB | SSIM | latent std per channel | outside [-1,1] | scale factor |"
                + " black holes (worst \\|z\\|) | PSNR at noise 0.05 / 0.1 / 0.2 std | steps |"
                + " high frequency latents / images | PSNR decoding 2x / 4x downsampled |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (AblationRow row : rows) {
            EvaluationReport v = row.validation();
            out.append(String.format(Locale.ROOT,
                    "| %s | %.2f | %.3f | %.2f-%.2f | %.1f %% | %.2f | %d (%.1f) | %s | %d | %s | %s |%n",
                    row.label(), v.psnr(), v.ssim(), row.minChannelStd(), row.maxChannelStd(),
                    100 * v.fractionOutsideUnit(), v.scaleFactor(), v.blackHolePositions(), v.worstZ(),
                    noisePsnr(v), row.steps(), highFrequency(v), downsampledPsnr(v)));
        }
        return out.toString();
    }

    /**
     * Settings and per-run figures (including training time, which the Markdown table leaves out), and the seeds-pooled
     * comparison at equal compute when there is one ({@link EqualComputeComparison#json()}, else null).
     */
    public static String json(Map<String, Object> settings, List<AblationRow> rows, Map<String, Object> comparison) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("settings", settings);
        root.put("runs", rows.stream().map(AblationTable::runJson).toList());
        root.put("equalCompute", comparison);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ablation of numbers and strings always serialises", e);
        }
    }

    private static Map<String, Object> runJson(AblationRow row) {
        EvaluationReport v = row.validation();
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("name", row.name());
        run.put("label", row.label());
        run.put("modelVersion", v.modelVersion());
        run.put("psnr", v.psnr());
        run.put("ssim", v.ssim());
        run.put("channelStd", v.channelStd());
        run.put("channelStdMin", row.minChannelStd());
        run.put("channelStdMax", row.maxChannelStd());
        run.put("fractionOutsideUnit", v.fractionOutsideUnit());
        run.put("scaleFactor", v.scaleFactor());
        run.put("blackHolePositions", v.blackHolePositions());
        run.put("worstZ", v.worstZ());
        run.put("robustnessPsnr", v.robustnessPsnr());
        run.put("latentHighFrequency", v.spectrum() == null ? null : v.spectrum().latentHighFrequency());
        run.put("imageHighFrequency", v.spectrum() == null ? null : v.spectrum().imageHighFrequency());
        run.put("spectrum", v.spectrum());
        run.put("scaleEquivariance", v.scaleEquivariance());
        run.put("validationImages", v.images());
        run.put("validationSize", v.imageHeight());
        run.put("validationSources", row.validationSources());
        run.put("steps", row.steps());
        run.put("budgetSteps", row.budgetSteps());
        run.put("budgetMinutes", row.budgetMinutes());
        run.put("clock", row.clock());
        run.put("curve", row.curve().stream().map(point -> Map.of("fraction", point.fraction(), "step",
                point.step(), "minutes", point.minutes(), "psnr", point.psnr(), "ssim", point.ssim())).toList());
        run.put("robustnessPsnrDenoised", row.end() == null ? null : row.end().robustnessPsnrDenoised());
        run.put("cropSize", row.cropSize());
        run.put("batchSize", row.batchSize());
        run.put("seed", row.seed());
        run.put("trainingMinutes", row.minutes());
        run.put("secondsPerStep", row.secondsPerStep());
        run.put("command", row.command());
        return run;
    }

    private static String highFrequency(EvaluationReport report) {
        LatentSpectrum spectrum = report.spectrum();
        return spectrum == null ? "n/a" : String.format(Locale.ROOT, "%.1f %% / %.1f %%",
                100 * spectrum.latentHighFrequency(), 100 * spectrum.imageHighFrequency());
    }

    private static String downsampledPsnr(EvaluationReport report) {
        Double half = report.scaleEquivariance().get("2");
        Double quarter = report.scaleEquivariance().get("4");
        return (half == null ? "n/a" : String.format(Locale.ROOT, "%.2f", half)) + " / "
                + (quarter == null ? "n/a" : String.format(Locale.ROOT, "%.2f", quarter));
    }

    private static String noisePsnr(EvaluationReport report) {
        StringBuilder out = new StringBuilder();
        for (double sigma : NOISE_SIGMAS) {
            if (!out.isEmpty()) {
                out.append(" / ");
            }
            Double psnr = report.robustnessPsnr().get(EvaluationReport.sigmaKey(sigma));
            out.append(psnr == null ? "n/a" : String.format(Locale.ROOT, "%.2f", psnr));
        }
        return out.toString();
    }
}
