package io.latentflow.model.eval;

import io.latentflow.model.SampleTiles;

import io.latentflow.model.finetune.FineTuneOptions;
import io.latentflow.model.finetune.FineTuner;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainingOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PromotionGateTest {

    /** Checks nothing but what a test names. */
    private static final GateThresholds LENIENT = new GateThresholds(0, -1, 1, 0, 1, Long.MAX_VALUE, 100, -100);

    @TempDir
    static Path temp;

    private static Path serving;
    private static Path candidate;
    private static List<ImageBatch> recent;
    private static List<ImageBatch> older;

    /** A serving version trained a few steps on photos, and a candidate fine-tuned from it on illustrations. */
    @BeforeAll
    static void servingAndCandidate() throws IOException {
        Path photos = Files.createDirectories(temp.resolve("photos"));
        for (Path file : SampleTiles.of("photos", "Autumn", "Kite")) {
            Files.copy(file, photos.resolve(file.getFileName()));
        }
        TrainingOptions options = TrainingOptions.builder(photos, temp.resolve("serving"))
                .budget(TrainingBudget.steps(3)).batchSize(4).threads(1)
                .progress(new PrintStream(new ByteArrayOutputStream())).build();
        try (Trainer trainer = new Trainer(options)) {
            serving = trainer.run().modelDir();
        }
        candidate = FineTuner.run(FineTuneOptions.builder(serving, SampleTiles.of("illustrations", "Altai", "Flow"),
                        SampleTiles.of("photos", "Autumn"), temp.resolve("candidate"))
                .budget(TrainingBudget.steps(3)).batchSize(4).threads(1)
                .progress(new PrintStream(new ByteArrayOutputStream())).build()).modelDir();
        recent = EvaluationImages.load(SampleTiles.of("illustrations", "Cascade", "Kay"), 64, 8);
        older = EvaluationImages.load(SampleTiles.of("photos", "ColorfulCups"), 64, 8);
    }

    @Test
    void aCandidateThatHoldsEveryCheckPassesWithItsFigures() {
        GateVerdict verdict = new PromotionGate(LENIENT).judge(candidate, serving, recent, older);

        assertThat(verdict.passed()).as(verdict.reason()).isTrue();
        assertThat(verdict.failures()).isEmpty();
        assertThat(verdict.candidate()).isEqualTo(ModelDirectory.verify(candidate).version());
        assertThat(verdict.serving()).isEqualTo(ModelDirectory.verify(serving).version());
        assertThat(verdict.reason()).startsWith("passed the gate: recent ").contains("older ");
        assertThat(verdict.figures()).containsKeys("recent.psnr", "recent.servingPsnr", "recent.psnrChange",
                "recent.ssim", "recent.fractionOutsideUnit", "recent.minChannelStd", "recent.maxChannelStd",
                "recent.blackHolePositions", "older.psnr", "older.servingPsnr", "older.psnrChange", "warmupMillis");
        assertThat(verdict.figures().get("recent.images")).isEqualTo(8.0);
        assertThat(verdict.figures().get("older.images")).isEqualTo(20.0);
        assertThat(verdict.figures().get("recent.psnrChange")).isEqualTo(
                verdict.figures().get("recent.psnr") - verdict.figures().get("recent.servingPsnr"));
        assertThat(verdict.figures().get("recent.fractionOutsideUnit")).as("tanh-bounded latents").isZero();
    }

    @Test
    void noImprovementOnTheRecentImagesIsRejectedWhileTheOlderOnesHoldTheirGround() {
        GateVerdict verdict = new PromotionGate(LENIENT.withMinRecentGainDb(0.1).withMaxOlderLossDb(0))
                .judge(serving, serving, recent, older);

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.failures()).singleElement().asString()
                .startsWith("recent images: PSNR").contains("gains +0.00 dB").contains("at least +0.10 dB needed");
        assertThat(verdict.figures().get("older.psnrChange")).isZero();
        assertThat(verdict.reason()).startsWith("failed the gate: recent images");
    }

    @Test
    void theAbsoluteFloorsAndTheLatentBandAreCheckedOnBothImageSets() {
        GateVerdict verdict = new PromotionGate(new GateThresholds(60, 0.99, 0, 0.95, 1.0, 0, 100, -100))
                .judge(candidate, serving, recent, older);

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.failures()).anyMatch(f -> f.startsWith("recent images: PSNR") && f.contains("floor 60.00"))
                .anyMatch(f -> f.startsWith("older images: PSNR") && f.contains("floor 60.00"))
                .anyMatch(f -> f.startsWith("recent images: SSIM"));
    }

    /**
     * The latent floors depend on the images as much as on the model (flat illustrations have narrow channels): a
     * candidate no worse than the serving version on them is not rejected for what the serving version shows too.
     */
    @Test
    void aLatentFloorTheServingVersionMissesTooDoesNotRejectACandidateNoWorse() {
        GateThresholds unreachable = new GateThresholds(0, -1, 1, 0.99, 1.0, 0, 100, -100);
        GateVerdict same = new PromotionGate(unreachable).judge(serving, serving, recent, older);

        assertThat(same.failures()).as("the serving version against itself").isEmpty();
        assertThat(same.figures().get("recent.minChannelStd")).isLessThan(0.99);
        assertThat(same.figures()).containsKey("recent.servingBlackHolePositions");
    }

    @Test
    void aCandidateThatDoesNotLoadIsRejectedBeforeAnyFigure() throws IOException {
        Path broken = temp.resolve("broken");
        ModelDirectory.copyWith(candidate, broken, java.util.Map.of());
        Files.write(broken.resolve(ModelDirectory.DECODER_PARAMS), new byte[]{1, 2, 3});

        GateVerdict verdict = new PromotionGate(LENIENT).judge(broken, serving, recent, older);

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.reason()).startsWith("candidate does not load and warm up as the encode job would")
                .contains(ModelDirectory.DECODER_PARAMS);
        assertThat(verdict.figures()).isEmpty();
    }
}
