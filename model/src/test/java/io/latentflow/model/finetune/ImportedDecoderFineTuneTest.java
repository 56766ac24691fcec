package io.latentflow.model.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.SampleTiles;
import io.latentflow.model.ServingModel;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.eval.EvaluationImages;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.model.eval.GateVerdict;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.eval.PromotionGate;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.TrainingBudget;
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

/** Decoder-only fine-tuning of an imported diffusers VAE (the small SD-architecture fixture). */
class ImportedDecoderFineTuneTest {

    /** The small random-weight checkpoints made with PyTorch for the import's conformance tests. */
    private static final Path FIXTURES = Path.of("src/test/resources/diffusers");

    @TempDir
    Path temp;

    private Path imported() throws IOException {
        Path dir = temp.resolve("imported");
        ImportedVae.read(FIXTURES.resolve("sd-f32")).save(dir, "imported-sd");
        return dir;
    }

    private FineTuneOptions.Builder options(Path serving, String out) throws IOException {
        return FineTuneOptions.builder(serving, SampleTiles.of("illustrations", "Altai", "Flow"),
                        SampleTiles.of("photos", "Autumn"), temp.resolve(out))
                .budget(TrainingBudget.steps(3)).batchSize(2).cropSize(32).threads(1).learningRate(1e-3)
                .progress(new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void theDecoderLearnsAndEveryLatentStaysBitIdentical() throws IOException {
        Path serving = imported();

        FineTuneResult result = FineTuner.run(options(serving, "candidate").build());

        Path candidate = result.modelDir();
        ModelDirectory.verify(candidate);
        assertThat(result.version()).isNotEqualTo("imported-sd").startsWith("diffusers-kl-f8c4-");
        assertThat(Files.readAllBytes(candidate.resolve(ModelDirectory.ENCODER_PARAMS)))
                .isEqualTo(Files.readAllBytes(serving.resolve(ModelDirectory.ENCODER_PARAMS)));
        assertThat(ModelDirectory.sha256(candidate.resolve(ModelDirectory.DECODER_PARAMS)))
                .as("the decoder trained").isNotEqualTo(ModelDirectory.sha256(serving.resolve(
                        ModelDirectory.DECODER_PARAMS)));
        List<ImageBatch> images = EvaluationImages.load(SampleTiles.of("photos", "Kite", "Grey"), 64, 8);
        try (ServingModel before = ServingModel.load(serving); ServingModel after = ServingModel.load(candidate);
             LatentEncoder a = before.newEncoder(); LatentEncoder b = after.newEncoder()) {
            assertThat(after.latentSpace()).isEqualTo(before.latentSpace());
            for (ImageBatch batch : images) {
                assertThat(b.encode(batch.pixels(), batch.count(), batch.height(), batch.width()))
                        .as("every latent, bit for bit")
                        .isEqualTo(a.encode(batch.pixels(), batch.count(), batch.height(), batch.width()));
            }
        }
        JsonNode metrics = new ObjectMapper().readTree(candidate.resolve(ModelDirectory.METRICS).toFile());
        assertThat(metrics.at("/training/steps").asLong()).isEqualTo(3);
        assertThat(metrics.at("/training/frozenEncoder").asBoolean()).isTrue();
        assertThat(metrics.at("/provenance/scope").asText()).isEqualTo("decoder");
        assertThat(metrics.at("/provenance/parentVersion").asText()).isEqualTo("imported-sd");

        GateThresholds lenient = new GateThresholds(0, -1, 1, 0, 100, Long.MAX_VALUE, 100, -100, 4);
        GateVerdict verdict = new PromotionGate(lenient).requiringSameLatentSpace(true).judge(candidate, serving,
                images, images);
        assertThat(verdict.failures()).as(verdict.reason()).isEmpty();
        assertThat(verdict.figures().get("latentSpaceKept")).isEqualTo(1.0);
    }

    @Test
    void theWholeModelOfAnImportedVaeIsNotFineTuned() throws IOException {
        Path serving = imported();

        assertThatThrownBy(() -> FineTuner.run(options(serving, "all").scope(FineTuneScope.ALL).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only its decoder")
                .hasMessageContaining("scope 'decoder'");
        assertThat(temp.resolve("all")).doesNotExist();
    }
}
