package io.latentflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.model.eval.PairedBootstrap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's figures from what a replay collected: per model, paired, per window, per source, the worst. */
class ReplayReportTest {

    private static final long MINUTE = 60_000;
    private static final ReplayRange RANGE = new ReplayRange("images", Map.of(0, 0L), Map.of(0, 40L));

    @Test
    void pairedDifferencesOverallPerWindowAndPerSource() {
        List<ImageComparison> images = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // B is 1 dB worse on source "cats" (the second minute), as good as A on "dogs"
            boolean cat = i >= 20;
            double a = 30 + (i % 5);
            images.add(image(i, cat ? "cats" : "dogs", (cat ? MINUTE : 0) + i * 100L, a, a - (cat ? 1 : 0)));
        }
        JsonNode report = report(images, List.of("va", "vb"), List.of(worst("cat-1", -1.0), worst("cat-2", -1.5)), 1)
                .toJson();

        assertThat(report.get("images").asInt()).isEqualTo(40);
        assertThat(report.get("models")).extracting(JsonNode::asText).containsExactly("va", "vb");
        assertThat(report.get("psnr").get("A").asDouble()).isCloseTo(32, offset(1e-9));
        assertThat(report.get("psnr").get("B").asDouble()).isCloseTo(31.5, offset(1e-9));
        JsonNode delta = report.get("psnrDelta");
        assertThat(delta.get("mean").asDouble()).isCloseTo(-0.5, offset(1e-9));
        assertThat(delta.get("ci95").get(0).asDouble()).isLessThan(-0.5);
        assertThat(delta.get("ci95").get(1).asDouble()).isGreaterThan(-0.5).isLessThan(0);

        JsonNode windows = report.get("windows");
        assertThat(windows).hasSize(2);
        assertThat(windows.get(0).get("images").asInt()).isEqualTo(20);
        assertThat(windows.get(0).get("psnrDelta").get("mean").asDouble()).isCloseTo(0, offset(1e-9));
        assertThat(windows.get(1).get("psnrDelta").get("mean").asDouble()).isCloseTo(-1, offset(1e-9));
        assertThat(windows.get(1).get("psnrDelta").get("ci95").get(0).asDouble()).isCloseTo(-1, offset(1e-9))
                .as("every image lost exactly 1 dB: no spread to resample");

        JsonNode sources = report.get("sources");
        assertThat(sources).extracting(s -> s.get("source").asText()).containsExactly("cats", "dogs");
        assertThat(sources.get(0).get("psnrDelta").get("mean").asDouble()).isCloseTo(-1, offset(1e-9));

        assertThat(report.get("worst")).hasSize(1).as("--worst 1 of the subtasks' candidates");
        assertThat(report.get("worst").get(0).get("imageId").asText()).isEqualTo("cat-2");
        assertThat(report.get("worst").get(0).get("caption").asText()).isEqualTo("a cat on a mat, cat-2");
        assertThat(report.get("worst").get(0).get("label").asText()).isEqualTo("cat");
        assertThat(report.get("latent").get("A").get("channelStd")).hasSize(2);
    }

    @Test
    void oneModelHasNoDeltaAndNoImageIsAClearError() {
        List<ImageComparison> images = List.of(single(0, 30), single(1, 32));
        JsonNode report = report(images, List.of("va"), List.of(), 8).toJson();
        assertThat(report.get("psnr").get("A").asDouble()).isEqualTo(31);
        assertThat(report.has("psnrDelta")).isFalse();
        assertThatThrownBy(() -> report(List.of(), List.of("va"), List.of(), 8).toJson())
                .hasMessageContaining("could be decoded");
    }

    private static ReplayReport report(List<ImageComparison> images, List<String> versions, List<WorstImage> worst,
                                       int worstKept) {
        List<List<io.latentflow.schemas.LatentStatsWindow>> windows = new ArrayList<>();
        versions.forEach(v -> windows.add(List.of()));
        return new ReplayReport(new ReplayOutcome(versions, images, worst, windows, List.of(), 10,
                new ReplayTimes(1, 2, 0.5, 0.1)), RANGE, MINUTE,
                worstKept, PairedBootstrap.defaults());
    }

    private static ImageComparison image(int offset, String source, long eventTime, double psnrA, double psnrB) {
        ImageComparison image = single(offset, psnrA);
        image.source = source;
        image.eventTime = eventTime;
        image.psnr = new double[] {psnrA, psnrB};
        image.ssim = new double[] {0.9, 0.8};
        image.channels = new int[] {2, 2};
        image.positions = new int[] {4, 4};
        image.channelMean = new double[] {0.1, -0.1, 0.2, -0.2};
        image.channelM2 = new double[] {1, 1, 2, 2};
        image.outsideUnit = new long[] {0, 1};
        image.maxAbs = new double[] {0.9, 1.2};
        return image;
    }

    private static ImageComparison single(int offset, double psnr) {
        ImageComparison image = new ImageComparison();
        image.partition = 0;
        image.offset = offset;
        image.imageId = "image-" + offset;
        image.source = "dogs";
        image.psnr = new double[] {psnr};
        image.ssim = new double[] {0.9};
        image.channels = new int[] {2};
        image.positions = new int[] {4};
        image.channelMean = new double[] {0.1, -0.1};
        image.channelM2 = new double[] {1, 1};
        image.outsideUnit = new long[] {0};
        image.maxAbs = new double[] {0.9};
        return image;
    }

    private static WorstImage worst(String id, double score) {
        WorstImage image = new WorstImage();
        image.imageId = id;
        image.source = "cats";
        image.caption = "a cat on a mat, " + id;
        image.label = "cat";
        image.score = score;
        image.psnr = new double[] {31, 31 + score};
        return image;
    }
}
