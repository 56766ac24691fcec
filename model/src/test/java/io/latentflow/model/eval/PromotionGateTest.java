package io.latentflow.model.eval;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.SampleTiles;

import io.latentflow.model.finetune.FineTuneOptions;
import io.latentflow.model.finetune.FineTuneScope;
import io.latentflow.model.finetune.FineTuner;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainerConfig;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PromotionGateTest {

    /** Checks nothing but what a test names. */
    private static final GateThresholds LENIENT = new GateThresholds(0, -1, 1, 0, 1, Long.MAX_VALUE, 100, -100, 4);

    @TempDir
    static Path temp;

    private static Path serving;
    private static Path candidate;
    private static Path wholeModelCandidate;
    private static List<ImageBatch> recent;
    private static List<ImageBatch> older;
    /** An untrained KL version with its encoder output scaled down: latents well inside [-1, 1]. */
    private static Path quietKl;
    /** The same scaled up: latents far outside [-1, 1], with a large std. */
    private static Path loudKl;

    /** A serving version trained a few steps on photos, and a candidate fine-tuned from it on illustrations. */
    @BeforeAll
    static void servingAndCandidate() throws IOException {
        Path photos = Files.createDirectories(temp.resolve("photos"));
        for (Path file : SampleTiles.of("photos", "Autumn", "Kite")) {
            Files.copy(file, photos.resolve(file.getFileName()));
        }
        TrainerConfig options = TrainerConfig.builder(photos, temp.resolve("serving"))
                .budget(TrainingBudget.steps(3)).batchSize(4).threads(1)
                .progress(new PrintStream(new ByteArrayOutputStream())).build();
        try (Trainer trainer = new Trainer(options)) {
            serving = trainer.run().modelDir();
        }
        candidate = FineTuner.run(FineTuneOptions.builder(serving, SampleTiles.of("illustrations", "Altai", "Flow"),
                        SampleTiles.of("photos", "Autumn"), temp.resolve("candidate"))
                .budget(TrainingBudget.steps(3)).batchSize(4).threads(1)
                .progress(new PrintStream(new ByteArrayOutputStream())).build()).modelDir();
        wholeModelCandidate = FineTuner.run(FineTuneOptions.builder(serving, SampleTiles.of("illustrations", "Altai"),
                        SampleTiles.of("photos", "Autumn"), temp.resolve("whole-model"))
                .budget(TrainingBudget.steps(2)).batchSize(4).threads(1).learningRate(1e-3)
                .scope(FineTuneScope.ALL).progress(new PrintStream(new ByteArrayOutputStream())).build()).modelDir();
        recent = EvaluationImages.load(SampleTiles.of("illustrations", "Cascade", "Kay"), 64, 8);
        older = EvaluationImages.load(SampleTiles.of("photos", "ColorfulCups"), 64, 8);
        Path kl = CraftedVersions.untrained(AutoencoderConfig.klVaeF8C4(), 7, temp.resolve("kl"));
        quietKl = CraftedVersions.scaledEncoderOutput(kl, 0.01f, temp.resolve("kl-quiet"));
        loudKl = CraftedVersions.scaledEncoderOutput(kl, 100f, temp.resolve("kl-loud"));
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
        assertThat(verdict.figures().get("recent.psnrChange")).as("the mean of the per-image changes").isCloseTo(
                verdict.figures().get("recent.psnr") - verdict.figures().get("recent.servingPsnr"), within(1e-9));
        assertThat(verdict.figures().get("recent.fractionOutsideUnit")).as("tanh-bounded latents").isZero();
        assertThat(verdict.figures().get("recent.psnrChangeLow")).isLessThanOrEqualTo(
                verdict.figures().get("recent.psnrChange"));
        assertThat(verdict.figures().get("recent.psnrChangeHigh")).isGreaterThanOrEqualTo(
                verdict.figures().get("recent.psnrChange"));
        assertThat(verdict.figures()).containsKeys("older.psnrChangeLow", "older.psnrChangeHigh");
        assertThat(verdict.reason()).contains("95 % interval [").contains("on 8 images").contains("on 20 images");
    }

    @Test
    void aDecoderOnlyCandidateKeepsTheLatentSpaceAndOneThatMovesItFailsWhereItMustKeepIt() {
        GateVerdict decoderOnly = new PromotionGate(LENIENT).requiringSameLatentSpace(true)
                .judge(candidate, serving, recent, older);
        assertThat(decoderOnly.passed()).as(decoderOnly.reason()).isTrue();
        assertThat(decoderOnly.figures().get("latentSpaceKept")).isEqualTo(1.0);
        assertThat(decoderOnly.reason()).contains("same latent space");

        GateVerdict moved = new PromotionGate(LENIENT).requiringSameLatentSpace(true)
                .judge(wholeModelCandidate, serving, recent, older);
        assertThat(moved.passed()).isFalse();
        assertThat(moved.failures()).singleElement().asString().startsWith("latent space: the candidate's")
                .contains("decoder only");

        GateVerdict allowed = new PromotionGate(LENIENT).judge(wholeModelCandidate, serving, recent, older);
        assertThat(allowed.passed()).as(allowed.reason()).isTrue();
        assertThat(allowed.figures().get("latentSpaceKept")).isZero();
        assertThat(allowed.reason()).contains("NEW latent space").contains("replay --backfill");
    }

    @Test
    void tooFewHeldOutImagesOnEitherSideAreRefusedSayingHowManyMoreAreNeeded() {
        PromotionGate needing16 = new PromotionGate(LENIENT.withMinHeldOutImages(16));

        assertThatThrownBy(() -> needing16.judge(candidate, serving, recent, older))
                .isInstanceOf(NotEnoughHeldOutImages.class)
                .hasMessageContaining("has 8 recent and 20 older")
                .hasMessageContaining("8 more held-out recent images needed")
                .hasMessageNotContaining("more held-out older");
        assertThatThrownBy(() -> needing16.judge(candidate, serving, older, recent))
                .isInstanceOf(NotEnoughHeldOutImages.class)
                .hasMessageContaining("has 20 recent and 8 older")
                .hasMessageContaining("8 more held-out older images needed")
                .hasMessageNotContaining("more held-out recent");
    }

    @Test
    void aDecoderThatShiftsEveryPixelIsRejectedForItsLossOnTheOlderImages() throws IOException {
        Path shifted = CraftedVersions.shiftedDecoderOutput(serving, 0.5f, temp.resolve("shifted-decoder"));

        GateVerdict verdict = new PromotionGate(LENIENT.withMaxOlderLossDb(0.3)).judge(shifted, serving, recent, older);

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.failures()).singleElement().asString().startsWith("older images: PSNR change -")
                .contains("lower bound is below the 0.30 dB loss allowed (-0.30 dB)");
        assertThat(verdict.figures().get("older.psnrChangeHigh")).isLessThan(-0.3);
        assertThat(verdict.reason()).startsWith("failed the gate: older images: PSNR change");
        assertThat(new PromotionGate(LENIENT).judge(shifted, serving, recent, older).passed())
                .as("with any loss allowed, nothing else rejects it").isTrue();
    }

    @Test
    void latentsOutsideTheUnitRangeAreRejected() {
        GateThresholds rangeOnly = new GateThresholds(0, -1, 0, 0, Double.MAX_VALUE, Long.MAX_VALUE, 100, -100, 4);

        GateVerdict quietAgainstItself = new PromotionGate(rangeOnly).judge(quietKl, quietKl, recent, older);
        GateVerdict loud = new PromotionGate(rangeOnly).judge(loudKl, quietKl, recent, older);

        assertThat(quietAgainstItself.passed()).as(quietAgainstItself.reason()).isTrue();
        assertThat(loud.passed()).isFalse();
        assertThat(loud.figures().get("older.fractionOutsideUnit")).isPositive();
        assertThat(loud.failures()).anyMatch(f -> f.startsWith("recent images: ") && f.contains(
                        "% of latent values outside [-1, 1] (at most 0.0000 %)"))
                .anyMatch(f -> f.startsWith("older images: ") && f.contains("outside [-1, 1]"))
                .allMatch(f -> f.contains("outside [-1, 1]"));
    }

    @Test
    void aLatentChannelStdAboveTheBandAndAboveTheServingVersionsIsRejected() {
        GateThresholds bandOnly = new GateThresholds(0, -1, 1, 0, 1.0, Long.MAX_VALUE, 100, -100, 4);

        GateVerdict loud = new PromotionGate(bandOnly).judge(loudKl, quietKl, recent, older);

        assertThat(loud.passed()).isFalse();
        assertThat(loud.figures().get("older.maxChannelStd")).isGreaterThan(1.0);
        assertThat(loud.failures()).anyMatch(f -> f.startsWith("older images: latent channel std")
                && f.contains("outside the band 0.000-1.000 and beyond the serving version's"));
        assertThat(new PromotionGate(bandOnly).judge(quietKl, quietKl, recent, older).passed()).isTrue();
    }

    @Test
    void aCollapsedLatentChannelBelowTheBandIsRejectedWhereTheServingVersionIsInIt() throws IOException {
        GateVerdict measured = new PromotionGate(LENIENT).judge(serving, serving, recent, older);
        double servingMinStd = Math.min(measured.figures().get("recent.minChannelStd"),
                measured.figures().get("older.minChannelStd"));
        GateThresholds band = new GateThresholds(0, -1, 1, servingMinStd / 2, 1, Long.MAX_VALUE, 100, -100, 4);
        Path collapsed = CraftedVersions.scaledEncoderOutput(serving, 0.01f, temp.resolve("collapsed"));

        GateVerdict verdict = new PromotionGate(band).judge(collapsed, serving, recent, older);

        assertThat(new PromotionGate(band).judge(serving, serving, recent, older).passed()).isTrue();
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.figures().get("older.minChannelStd")).isLessThan(servingMinStd / 2);
        assertThat(verdict.failures()).hasSize(2).allMatch(f -> f.contains("latent channel std")
                && f.contains("outside the band"));
    }

    @Test
    void blackHolesTheServingVersionDoesNotHaveAreRejected() throws IOException {
        Path holed = CraftedVersions.blackHolesInChannelZero(serving, older, 0.99, temp.resolve("black-holes"));
        GateThresholds noBlackHoles = new GateThresholds(0, -1, 1, 0, 1, 0, 100, -100, 4);

        GateVerdict verdict = new PromotionGate(noBlackHoles).judge(holed, serving, recent, older);

        assertThat(new PromotionGate(noBlackHoles).judge(serving, serving, recent, older).passed()).isTrue();
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.figures().get("older.blackHolePositions")).isPositive()
                .isGreaterThan(verdict.figures().get("older.servingBlackHolePositions"));
        assertThat(verdict.failures()).anyMatch(f -> f.startsWith("older images: ")
                && f.contains("black-hole latent positions (at most 0, or the serving version's"));
    }

    @Test
    void noImprovementOnTheRecentImagesIsRejectedWhileTheOlderOnesHoldTheirGround() {
        GateVerdict verdict = new PromotionGate(LENIENT.withMinRecentGainDb(0.1).withMaxOlderLossDb(0))
                .judge(serving, serving, recent, older);

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.failures()).singleElement().asString()
                .startsWith("recent images: PSNR change +0.00 dB, 95 % interval [+0.00, +0.00] on 8 images")
                .contains("lower bound is not above the +0.10 dB gain needed");
        assertThat(verdict.figures().get("older.psnrChange")).isZero();
        assertThat(verdict.reason()).startsWith("failed the gate: recent images");
    }

    @Test
    void theAbsoluteFloorsAndTheLatentBandAreCheckedOnBothImageSets() {
        GateVerdict verdict = new PromotionGate(new GateThresholds(60, 0.99, 0, 0.95, 1.0, 0, 100, -100, 4))
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
        GateThresholds unreachable = new GateThresholds(0, -1, 1, 0.99, 1.0, 0, 100, -100, 4);
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
