package io.latentflow.model.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.SampleTiles;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.recipe.RecipeFile;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainerConfig;
import io.latentflow.model.train.TrainingProgress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FineTunerTest {


    @TempDir
    static Path shared;

    @TempDir
    Path temp;

    private static Path serving;

    /** A serving version: a few steps of the trainer on three sample photos, with its recipe.json. */
    @BeforeAll
    static void trainServingVersion() throws IOException {
        Path photos = Files.createDirectories(shared.resolve("photos"));
        for (Path file : SampleTiles.of("photos", "Autumn", "Kite", "Path")) {
            Files.copy(file, photos.resolve(file.getFileName()));
        }
        TrainerConfig options = TrainerConfig.builder(photos, shared.resolve("serving"))
                .budget(TrainingBudget.steps(3)).batchSize(4).threads(1)
                .progress(new PrintStream(new ByteArrayOutputStream())).build();
        try (Trainer trainer = new Trainer(options)) {
            serving = trainer.run().modelDir();
        }
    }

    private FineTuneOptions.Builder options(String out, long steps) throws IOException {
        return FineTuneOptions.builder(serving, SampleTiles.of("illustrations", "Altai", "Flow", "Opal"),
                        SampleTiles.of("photos", "Grey", "Kite", "ColdRipple"), temp.resolve(out))
                .budget(TrainingBudget.steps(steps)).batchSize(4).threads(1).resolution(64)
                .progress(new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void aFineTuneWritesANewVersionWithItsProvenanceDriftProfileAndTheServingRecipe() throws IOException {
        List<TrainingProgress> progress = new ArrayList<>();
        FineTuneResult result = FineTuner.run(options("candidate", 4).replayShare(0.5)
                .provenance(Map.of("requestId", "r-1", "offsets", "images:0:100-160"))
                .listener(progress::add).command("latentflow finetune --test").build());

        ModelDirectory.verify(result.modelDir());
        String parent = ModelDirectory.verify(serving).version();
        assertThat(result.version()).startsWith("bounded-f8c8-").isNotEqualTo(parent);
        assertThat(result.parentVersion()).isEqualTo(parent);
        assertThat(result.recentImages()).isEqualTo(12);
        assertThat(result.replayImages()).as("half of the training images replayed").isEqualTo(12);
        assertThat(RecipeFile.read(result.modelDir())).as("the serving recipe at the planned rate").contains(
                RecipeFile.read(serving).orElseThrow().withLearningRate(FineTunePlan.of(12, 12, 64, 4).learningRate()));

        JsonNode metrics = new ObjectMapper().readTree(result.modelDir().resolve(ModelDirectory.METRICS).toFile());
        assertThat(metrics.at("/modelVersion").asText()).isEqualTo(result.version());
        assertThat(metrics.at("/provenance/parentVersion").asText()).isEqualTo(parent);
        assertThat(metrics.at("/provenance/recentSources").toString()).isEqualTo("[\"Altai\",\"Flow\",\"Opal\"]");
        assertThat(metrics.at("/provenance/replaySources").toString()).contains("Grey", "Kite", "ColdRipple");
        assertThat(metrics.at("/provenance/offsets").asText()).isEqualTo("images:0:100-160");
        assertThat(metrics.at("/training/steps").asLong()).isEqualTo(4);
        assertThat(metrics.at("/training/minutes").asDouble()).isPositive();
        assertThat(metrics.at("/training/command").asText()).isEqualTo("latentflow finetune --test");
        assertThat(metrics.at("/provenance/scope").asText()).as("the default scope").isEqualTo("decoder");
        assertThat(metrics.at("/training/frozenEncoder").asBoolean()).isTrue();

        ReferenceProfile profile = ReferenceProfile.storedIn(result.modelDir()).orElseThrow();
        assertThat(profile.modelVersion()).isEqualTo(result.version());
        assertThat(profile.images()).as("every training image, recent and replayed").isEqualTo(24);
        assertThat(profile.source()).contains("illustrations + photos");
        assertThat(profile.imageSize()).as("the encode job's resolution").isEqualTo(64);

        assertThat(progress).extracting(TrainingProgress::step).containsExactly(1L, 2L, 3L, 4L);
        assertThat(progress.get(3).fraction()).isEqualTo(1.0);
        assertThat(progress.get(1).eta()).isNotNull();
        assertThat(progress).allMatch(p -> Float.isFinite(p.loss()));
    }

    @Test
    void itStartsFromTheServingWeightsNotFromRandomOnes() throws IOException {
        FineTuneResult result = FineTuner.run(options("one-step", 1).scope(FineTuneScope.ALL).build());
        float[] image = new float[3 * 64 * 64];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) Math.sin(i * 0.01);
        }
        float[] before = encode(serving, image);
        float[] after = encode(result.modelDir(), image);
        double largest = 0;
        for (int i = 0; i < before.length; i++) {
            largest = Math.max(largest, Math.abs(before[i] - after[i]));
        }
        assertThat(largest).as("largest latent change after one warm-up step").isLessThan(0.05);
    }

    /** Decoder only, the default: the encoder is frozen bit for bit, so every latent and the latent space stay. */
    @Test
    void aDecoderOnlyFineTuneKeepsEveryLatentBitIdenticalAndChangesTheDecoder() throws IOException {
        FineTuneResult result = FineTuner.run(options("decoder-only", 3).learningRate(1e-3).build());

        float[] image = new float[3 * 64 * 64];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) Math.sin(i * 0.013);
        }
        assertThat(encode(result.modelDir(), image)).as("every latent, bit for bit").isEqualTo(encode(serving, image));
        assertThat(Files.readAllBytes(result.modelDir().resolve(ModelDirectory.ENCODER_PARAMS)))
                .isEqualTo(Files.readAllBytes(serving.resolve(ModelDirectory.ENCODER_PARAMS)));
        assertThat(ModelDirectory.sha256(result.modelDir().resolve(ModelDirectory.DECODER_PARAMS)))
                .as("the decoder trained").isNotEqualTo(ModelDirectory.sha256(serving.resolve(
                        ModelDirectory.DECODER_PARAMS)));
        try (ServingModel before = ServingModel.load(serving); ServingModel after = ServingModel.load(
                result.modelDir())) {
            assertThat(after.latentSpace()).isEqualTo(before.latentSpace());
        }
    }

    @Test
    void theWholeModelScopeMakesANewLatentSpace() throws IOException {
        FineTuneResult result = FineTuner.run(options("all", 2).learningRate(1e-3).scope(FineTuneScope.ALL).build());

        try (ServingModel before = ServingModel.load(serving); ServingModel after = ServingModel.load(
                result.modelDir())) {
            assertThat(after.latentSpace()).isNotEqualTo(before.latentSpace());
        }
    }

    /** Enough recent images for a validation split: early stopping validates and keeps the best weights. */
    @Test
    void withEnoughRecentImagesItValidatesForEarlyStoppingOnImagesItDoesNotTrainOn() throws IOException {
        List<Path> recent = SampleTiles.of("photos", "Autumn", "Kite", "Path", "Grey", "ColdRipple", "ColorfulCups",
                "BytheWater", "DarkestHour", "EveningGlow", "FallenLeaf", "OneStandsOut", "summer_1am");
        FineTuneResult result = FineTuner.run(FineTuneOptions.builder(serving, recent, List.of(), temp.resolve("es"))
                .replayShare(0).budget(TrainingBudget.steps(2)).batchSize(4).threads(1).resolution(64)
                .progress(new PrintStream(new ByteArrayOutputStream())).build());

        JsonNode metrics = new ObjectMapper().readTree(result.modelDir().resolve(ModelDirectory.METRICS).toFile());
        int validation = metrics.at("/provenance/validationImages").asInt();
        assertThat(validation).isGreaterThanOrEqualTo(FineTuner.MIN_VALIDATION_IMAGES);
        assertThat(result.recentImages()).isEqualTo(recent.size() - validation);
        assertThat(metrics.at("/training/validationImages").asInt()).isEqualTo(validation);
        assertThat(metrics.at("/training/earlyStopping/keptStep").asLong()).isEqualTo(2);
        assertThat(metrics.at("/training/earlyStopping/keptValidationPsnr").asDouble()).isPositive();
        assertThat(metrics.at("/training/earlyStopping/validations/0/verdict").asText()).isEqualTo("first");
    }

    @Test
    void aGentlerLearningRateIsTheOnlyChangeToTheRecipeAndIsRecorded() throws IOException {
        FineTuneResult result = FineTuner.run(options("gentle", 1).learningRate(3e-4).build());
        RecipeConfig servingRecipe = RecipeFile.read(serving).orElseThrow();
        assertThat(RecipeFile.read(result.modelDir())).contains(servingRecipe.withLearningRate(3e-4));
    }

    @Test
    void aFineTuneCanAddTheScaleEquivarianceTermAndRecordsItInTheNewRecipe() throws IOException {
        FineTuneResult result = FineTuner.run(options("equivariant", 1).learningRate(3e-4).scaleEquivariance(0.25)
                .build());

        RecipeConfig servingRecipe = RecipeFile.read(serving).orElseThrow();
        assertThat(servingRecipe.scaleEquivariance()).isZero();
        assertThat(RecipeFile.read(result.modelDir()))
                .contains(servingRecipe.withLearningRate(3e-4).withScaleEquivariance(0.25));
        JsonNode metrics = new ObjectMapper().readTree(result.modelDir().resolve(ModelDirectory.METRICS).toFile());
        assertThat(metrics.at("/training/finalLosses/se").asDouble()).as("the term was trained").isPositive();
    }

    @Test
    void aVersionWithoutItsRecipeCannotBeFineTuned() throws IOException {
        Path noRecipe = temp.resolve("no-recipe");
        try (ServingModel model = ServingModel.load(serving)) {
            model.save(noRecipe, "{}");
        }
        assertThatThrownBy(() -> FineTuner.run(FineTuneOptions.builder(noRecipe,
                        SampleTiles.of("illustrations", "Altai"), List.of(), temp.resolve("x")).replayShare(0).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recipe.json");
    }

    private static float[] encode(Path modelDir, float[] image) {
        try (ServingModel model = ServingModel.load(modelDir); LatentEncoder encoder = model.newEncoder()) {
            return encoder.encode(image, 1, 64, 64);
        }
    }
}
