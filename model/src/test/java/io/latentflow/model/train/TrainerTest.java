package io.latentflow.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.recipe.Adversarial;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.recipe.RecipeFile;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.ValidationPsnr;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.CollectorPressure;
import io.latentflow.model.recipe.RecipeKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

class TrainerTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @TempDir
    Path temp;

    /** Three tiles of each of three sample photos: two sources train, one validates. */
    private Path images() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("images"));
        for (String source : List.of("Autumn", "Kite", "Path")) {
            for (String tile : List.of("_s768_000.jpg", "_s768_001.jpg", "_s768_002.jpg")) {
                Files.copy(PHOTOS.resolve(source + tile), dir.resolve(source + tile));
            }
        }
        return dir;
    }

    private TrainerConfig.Builder options(Path images, String out, long steps) {
        return TrainerConfig.builder(images, temp.resolve(out))
                .budget(TrainingBudget.steps(steps))
                .cropSize(64)
                .batchSize(4)
                .threads(1)
                .progress(new PrintStream(new ByteArrayOutputStream()));
    }

    private static TrainingResult train(TrainerConfig options) throws IOException {
        try (Trainer trainer = new Trainer(options)) {
            return trainer.run();
        }
    }

    @Test
    void shortRunLossFallsAndWritesAVerifiedModelDirectoryWithRecipeAndMetrics() throws IOException {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        TrainerConfig options = options(images(), "model", 40).batchSize(8)
                .progress(new PrintStream(progress, true, StandardCharsets.UTF_8))
                .progressEvery(Duration.ZERO)
                .command("latentflow train --test")
                .build();
        TrainingResult result = train(options);

        List<Float> losses = result.totalLosses();
        assertThat(losses).hasSize(40);
        double first = losses.subList(0, 5).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        double last = losses.subList(35, 40).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        assertThat(last).as("mean loss of the last 5 steps vs the first 5").isLessThan(0.8 * first);

        ModelDirectory.verify(result.modelDir());
        try (ServingModel model = ServingModel.load(result.modelDir());
             LatentEncoder encoder = model.newEncoder()) {
            assertThat(model.version()).isEqualTo(result.version()).startsWith("bounded-f8c8-");
            assertThat(encoder.encode(new float[3 * 64 * 64], 1, 64, 64)).hasSize(8 * 8 * 8);
        }
        assertThat(RecipeFile.read(result.modelDir())).contains(RecipeConfig.boundedAe());
        ReferenceProfile profile = ReferenceProfile.read(result.modelDir().resolve(ReferenceProfile.FILE_NAME));
        assertThat(profile.modelVersion()).isEqualTo(result.version());
        assertThat(profile.channelCount()).isEqualTo(8);
        assertThat(profile.images()).as("the training split's images only: the validation source is what an unseen"
                + " photo looks like to the drift monitor").isEqualTo(6);
        assertThat(profile.std()).isPositive();
        JsonNode metrics = new ObjectMapper().readTree(result.modelDir().resolve(ModelDirectory.METRICS).toFile());
        assertThat(metrics.at("/modelVersion").asText()).isEqualTo(result.version());
        assertThat(metrics.at("/images").asInt()).isEqualTo(3);
        assertThat(metrics.at("/validationSources").size()).isEqualTo(1);
        assertThat(metrics.at("/psnr").asDouble()).isBetween(5.0, 60.0);
        assertThat(metrics.at("/ssim").asDouble()).isBetween(0.0, 1.0);
        assertThat(metrics.at("/channelStd").size()).isEqualTo(8);
        assertThat(metrics.at("/robustnessPsnr").size()).isEqualTo(3);
        // the validation images' PSNR distribution, the drift monitor's QUALITY yardstick; its mean is the report's
        ValidationPsnr validation = ValidationPsnr.fromMetrics(metrics).orElseThrow();
        assertThat(validation.images()).isEqualTo(3);
        assertThat(validation.imageSize()).isEqualTo(metrics.at("/imageHeight").asInt());
        assertThat(metrics.at("/psnr").asDouble()).isBetween(validation.at(0.01), validation.at(0.99));
        assertThat(result.validation().modelVersion()).isEqualTo(result.version());
        assertThat(metrics.at("/training/steps").asLong()).isEqualTo(40);
        assertThat(metrics.at("/training/seed").asLong()).isEqualTo(1);
        assertThat(metrics.at("/training/command").asText()).isEqualTo("latentflow train --test");
        assertThat(metrics.at("/training/minutes").asDouble()).isPositive();
        String lines = progress.toString(StandardCharsets.UTF_8);
        assertThat(lines).contains("step 40/40 100%").contains("img/s").contains("ETA").contains(" l1 ");
    }

    @Test
    void sameSeedGivesTheSameLossesAndAnotherSeedDoesNot() throws IOException {
        Path images = images();
        List<Float> a = train(options(images, "a", 3).seed(7).build()).totalLosses();
        List<Float> b = train(options(images, "b", 3).seed(7).build()).totalLosses();
        List<Float> c = train(options(images, "c", 3).seed(8).build()).totalLosses();
        assertThat(b).containsExactlyElementsOf(a);
        assertThat(c).isNotEqualTo(a);
    }

    /**
     * Seed 7's figures as measured before the loop, the step, the data and the callbacks were split into classes: a
     * refactoring of the trainer gives the same losses. Pinned again once, when SSIM's moments moved to the middle of
     * the pixel range and its blur to one plane a channel (a numerical change, not a refactoring): the losses moved by
     * one float32 ulp. Held to a relative 1e-5, not bit for bit, and the weights' hash (the version) not at all:
     * oneDNN and ATen pick other kernels on an AVX2-only CPU than on the AVX-512 one the figures were pinned on, which
     * changes the weights' last bits and the losses by a few ulps (checked with {@code ATEN_CPU_CAPABILITY=avx2
     * ONEDNN_MAX_CPU_ISA=AVX2}); a change to the trainer's logic moves them by orders of magnitude more.
     */
    @Test
    void sevenSeedsFiveStepsOfEachRecipeGiveTheFiguresPinnedBeforeTheTrainerWasSplit() throws IOException {
        Path images = images();
        TrainingResult plain = train(options(images, "plain", 5).seed(7).build());
        assertThat(plain.version()).startsWith("bounded-f8c8-");
        assertPinned(plain.totalLosses(), 1.3397889f, 1.3023107f, 1.2288992f, 1.2346444f, 1.1835965f);

        TrainingResult adversarial = train(options(images, "adversarial", 5).seed(7).recipe(RecipeConfig.boundedAe()
                .withAdversarial(new Adversarial(true, 2, 1, 0.05, 0.1, 2, 2e-4, List.of(8, 16)))).build());
        assertThat(adversarial.version()).isNotEqualTo(plain.version());
        assertPinned(adversarial.totalLosses(), 1.3397889f, 1.3023107f, 1.2628044f, 1.268313f, 1.2175851f);
        assertThat(adversarial.losses().get(3).get("d")).isCloseTo(0.7137273f, withinPercentage(1e-3));
        assertThat(adversarial.losses().get(3).get("r1r2")).isCloseTo(1.4891773E-5f, withinPercentage(1));
    }

    private static void assertPinned(List<Float> losses, float... pinned) {
        assertThat(losses).hasSize(pinned.length);
        for (int i = 0; i < pinned.length; i++) {
            assertThat(losses.get(i)).as("loss of step %d", i + 1).isCloseTo(pinned[i], withinPercentage(1e-3));
        }
    }

    /** Off by default and bit-identical when off (the pinned figures above); on, the step adds it and learns from it. */
    @Test
    void theScaleEquivarianceTermTrainsWhenTheRecipeWeighsIt() throws IOException {
        Path images = images();
        TrainingResult plain = train(options(images, "plain", 3).seed(7).build());
        TrainingResult equivariant = train(options(images, "equivariant", 3).seed(7)
                .recipe(RecipeConfig.boundedAe().withScaleEquivariance(0.25)).build());

        assertThat(plain.losses()).allSatisfy(losses -> assertThat(losses).doesNotContainKey("se"));
        assertThat(equivariant.losses()).allSatisfy(losses -> assertThat(losses.get("se")).isPositive());
        assertThat(equivariant.totalLosses().get(0))
                .isCloseTo(plain.totalLosses().get(0) + 0.25f * equivariant.losses().get(0).get("se"), within(1e-5f));
        assertThat(equivariant.totalLosses().get(2)).isNotEqualTo(plain.totalLosses().get(2));
    }

    @Test
    void resumingFromACheckpointContinuesTheStepCountAndTheVeryRunItInterrupted() throws IOException {
        Path images = images();
        TrainingResult whole = train(options(images, "whole", 6).build());
        TrainingResult firstHalf = train(options(images, "first", 3).checkpointDir(temp.resolve("ckpt")).build());
        TrainingResult resumed = train(options(images, "resumed", 6).resumeFrom(temp.resolve("ckpt")).build());

        assertThat(firstHalf.steps()).isEqualTo(3);
        assertThat(resumed.firstStep()).isEqualTo(3);
        assertThat(resumed.steps()).isEqualTo(6);
        assertThat(resumed.totalLosses()).containsExactlyElementsOf(whole.totalLosses().subList(3, 6));
        assertThat(ModelDirectory.sha256(resumed.modelDir().resolve(ModelDirectory.ENCODER_PARAMS)))
                .as("resumed EMA weights are bit-identical to the uninterrupted run's")
                .isEqualTo(ModelDirectory.sha256(whole.modelDir().resolve(ModelDirectory.ENCODER_PARAMS)));
    }

    @Test
    void aNonFiniteStepIsSkippedTheLastGoodWeightsRestoredAndTheLearningRateHalved() throws IOException {
        double[] scale = new double[1];
        TrainingCallback blowUpAfterStepThree = new TrainingCallback() {
            @Override
            public void onStepEnd(TrainingContext context) {
                if (context.step() == 3) { // a NaN in a weight, as a numerical blow-up leaves one
                    NamedParameters weights = context.model().liveParameters();
                    float[][] poisoned = weights.values();
                    poisoned[0][0] = Float.NaN;
                    weights.setValues(poisoned);
                }
            }

            @Override
            public void onTrainEnd(TrainingContext context) {
                scale[0] = context.learningRateScale();
            }
        };
        TrainingResult result = train(options(images(), "guarded", 8).callbacks(List.of(blowUpAfterStepThree)).build());
        List<Float> losses = result.totalLosses();
        assertThat(losses.get(3)).isNaN();
        for (int i = 0; i < losses.size(); i++) {
            if (i != 3) {
                assertThat(losses.get(i)).as("step %d", i + 1).isFinite();
            }
        }
        assertThat(result.nonFiniteSkips()).isEqualTo(1);
        assertThat(result.nonFiniteCauses()).singleElement().asString()
                .as("the guard names the poisoned weight, not the blocks that inherited its NaN")
                .startsWith("step 4: weight encoder/").contains("conv_in_weight has 1 NaN");
        assertThat(scale[0]).isEqualTo(0.5);
        assertThat(result.validation().psnr()).isFinite();
    }

    @Test
    void theDiscriminatorJoinsAfterItsWarmUpWithPenaltiesEveryIntervalAndResumesExactly() throws IOException {
        Path images = images();
        RecipeConfig recipe = RecipeConfig.boundedAe().withAdversarial(
                new Adversarial(true, 2, 1, 0.05, 0.1, 2, 2e-4, List.of(8, 16)));
        TrainingResult whole = train(options(images, "whole", 5).recipe(recipe).build());
        List<Map<String, Float>> losses = whole.losses();
        assertThat(losses.get(0)).doesNotContainKeys("d", "adv", "r1r2");
        assertThat(losses.get(1)).containsKeys("d", "r1r2").doesNotContainKey("adv");
        assertThat(losses.get(2)).containsKeys("d", "adv").doesNotContainKey("r1r2");
        assertThat(losses.get(3)).containsKeys("d", "adv", "r1r2");
        for (Map<String, Float> step : losses) {
            assertThat(step.values()).allMatch(Float::isFinite);
        }
        train(options(images, "first", 3).recipe(recipe).checkpointDir(temp.resolve("ckpt")).build());
        TrainingResult resumed = train(options(images, "resumed", 5).resumeFrom(temp.resolve("ckpt")).build());
        assertThat(resumed.losses()).containsExactlyElementsOf(losses.subList(3, 5));
    }

    @Test
    void anExistingOutputIsRefusedBeforeAnyTraining() throws IOException {
        Path images = images();
        Files.createDirectories(temp.resolve("taken"));
        Files.writeString(temp.resolve("taken").resolve("config.json"), "{}");
        assertThatThrownBy(() -> new Trainer(options(images, "taken", 3).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
    }

    /**
     * Training must not read memory Java has released (DJL's scalar constants did, see {@code Scalars}): with the
     * collector running all the time, a few dozen steps of each recipe skip nothing and give bit for bit the losses of
     * a run without that pressure. Before the fix this failed on the first steps, and on some machines without any help.
     */
    @Test
    void bothRecipesTrainAFewDozenStepsWithoutANonFiniteStepAndIdenticallyUnderCollectorPressure() throws Exception {
        Path images = images();
        for (RecipeConfig recipe : List.of(RecipeConfig.boundedAe(), RecipeConfig.klVae())) {
            AutoencoderConfig architecture = recipe.kind() == RecipeKind.KL_VAE ? AutoencoderConfig.klVaeF8C4()
                    : AutoencoderConfig.boundedF8C8();
            String name = recipe.kind().id();
            TrainingResult quiet = train(options(images, name + "-quiet", 30).architecture(architecture)
                    .recipe(recipe).build());
            TrainingResult pressed;
            try (CollectorPressure pressure = CollectorPressure.start()) {
                pressed = train(options(images, name + "-pressed", 30).architecture(architecture).recipe(recipe)
                        .build());
            }
            assertThat(pressed.nonFiniteSkips()).as(name + ": non-finite steps, causes %s", pressed.nonFiniteCauses())
                    .isZero();
            assertThat(quiet.nonFiniteSkips()).as(name + ": non-finite steps, causes %s", quiet.nonFiniteCauses())
                    .isZero();
            assertThat(pressed.totalLosses()).as(name).containsExactlyElementsOf(quiet.totalLosses());
        }
    }

    @Test
    void klVaeTrainsWithItsKlTerm() throws IOException {
        TrainingResult result = train(options(images(), "kl", 3).architecture(AutoencoderConfig.klVaeF8C4())
                .recipe(RecipeConfig.klVae()).build());
        for (Map<String, Float> losses : result.losses()) {
            assertThat(losses).containsOnlyKeys("loss", "l1", "l2", "ssim", "kl");
            assertThat(losses.values()).allMatch(Float::isFinite);
        }
        assertThat(result.version()).startsWith("kl-f8c4-");
    }
}
