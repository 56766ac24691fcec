package io.latentflow.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.registry.CandidatePublisher;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainerConfig;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class FineTuneCommandTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    /** Small and fast; the gate checks nothing but what a test names. */
    private static final List<String> SMALL = List.of("--steps", "3", "--batch", "4", "--threads", "1",
            "--resolution", "64");
    /**
     * These folders have few sources, so the gate holds out by content: a quarter of them (5 of the 16 recent images,
     * 12 of the 60 older ones), and judges on 4 or more. The defaults (a sixth, 16) refuse them: see below.
     */
    private static final List<String> SMALL_HELD_OUT = List.of("--holdout", "0.25", "--min-held-out", "4");
    private static final List<String> LENIENT = List.of("--min-psnr", "0", "--min-ssim", "-1", "--max-older-loss",
            "100", "--min-recent-gain", "-100", "--latent-std-band", "0,1");

    @TempDir
    static Path shared;

    private static Path serving;
    private static Path recent;
    private static Path older;

    @TempDir
    Path temp;

    /** A serving version trained a few steps on three photos; recent: 4 illustration sources; older: 3 photo ones. */
    @BeforeAll
    static void servingVersionAndImages() throws IOException {
        older = copy("photos", shared.resolve("older"), "Autumn", "Kite", "Grey");
        recent = copy("illustrations", shared.resolve("recent"), "Altai", "Flow", "Opal", "Kay");
        TrainerConfig options = TrainerConfig.builder(older, shared.resolve("serving"))
                .budget(TrainingBudget.steps(2)).batchSize(4).threads(1)
                .progress(new PrintStream(new ByteArrayOutputStream())).build();
        try (Trainer trainer = new Trainer(options)) {
            serving = trainer.run().modelDir();
        }
    }

    private static Path copy(String folder, Path target, String... sources) throws IOException {
        Files.createDirectories(target);
        try (var files = Files.list(SAMPLES.resolve(folder))) {
            for (Path file : files.toList()) {
                for (String source : sources) {
                    if (file.getFileName().toString().startsWith(source + "_s")) {
                        Files.copy(file, target.resolve(file.getFileName()));
                    }
                }
            }
        }
        return target;
    }

    private record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    private Run finetune(List<String> options) {
        List<String> args = new ArrayList<>(List.of("finetune", "--images-recent", recent.toString(),
                "--images-older", older.toString(), "--state-dir", temp.resolve("state").toString(), "--json"));
        args.addAll(SMALL);
        if (!options.contains("--min-held-out")) {
            args.addAll(SMALL_HELD_OUT);
        }
        args.addAll(options);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void offlineItFineTunesJudgesAndWritesTheVersionWithItsGateVerdictAndProvenance() throws IOException {
        List<String> options = new ArrayList<>(List.of("--model", serving.toString(), "--no-publish"));
        options.addAll(LENIENT);
        Run run = finetune(options);

        assertThat(run.exit()).as("stderr: %s", run.err()).isZero();
        JsonNode result = run.json();
        String version = result.get("version").asText();
        String parent = ModelDirectory.verify(serving).version();
        assertThat(result.get("parentVersion").asText()).isEqualTo(parent);
        assertThat(result.get("steps").asLong()).isEqualTo(3);
        assertThat(result.at("/heldOut/recentBy").asText()).as("4 sources are too few to hold one out").isEqualTo(
                "content");
        assertThat(result.at("/heldOut/recentImages").asInt()).isEqualTo(5);
        assertThat(result.at("/heldOut/olderImages").asInt()).isEqualTo(12);
        assertThat(result.at("/gate/figures/recent.images").asInt()).isEqualTo(5);
        assertThat(result.at("/gate/figures/recent.psnrChangeLow").isNumber()).isTrue();
        assertThat(result.at("/gate/figures/older.psnrChangeHigh").isNumber()).isTrue();
        assertThat(result.at("/gate/passed").asBoolean()).isTrue();
        assertThat(result.at("/gate/figures/older.psnrChange").isNumber()).isTrue();
        assertThat(result.get("registryState").isNull()).isTrue();

        Path dir = Path.of(result.get("modelDir").asText());
        assertThat(dir).isEqualTo(temp.resolve("state").resolve("finetune").resolve(version).toAbsolutePath());
        assertThat(ModelDirectory.verify(dir).version()).isEqualTo(version);
        JsonNode metrics = new ObjectMapper().readTree(dir.resolve(ModelDirectory.METRICS).toFile());
        assertThat(metrics.at("/provenance/parentVersion").asText()).isEqualTo(parent);
        assertThat(metrics.at("/provenance/recentImages").asText()).endsWith("recent");
        assertThat(metrics.at("/provenance/requestId").asText()).isEqualTo(result.get("requestId").asText());
        assertThat(metrics.at("/provenance/trigger").asText()).isEqualTo("USER");
        assertThat(metrics.at("/gate/passed").asBoolean()).isTrue();
        assertThat(metrics.at("/gate/servingVersion").asText()).isEqualTo(parent);
        assertThat(metrics.at("/gate/heldOut/recentImages").asInt()).isEqualTo(5);
        assertThat(metrics.at("/provenance/scope").asText()).isEqualTo("decoder");
        assertThat(metrics.at("/psnr").asDouble()).isEqualTo(result.at("/gate/figures/recent.psnr").asDouble());
        assertThat(ReferenceProfile.storedIn(dir).orElseThrow().imageSize()).isEqualTo(64);
        assertThat(run.err()).contains("fine-tuning " + parent).contains("judging " + version);
        assertThat(Files.list(temp.resolve("state").resolve("finetune")).toList())
                .as("nothing left of the run but the version").containsExactly(dir);
    }

    /** With the default held-out share and minimum, 16 recent images are too few for the gate: nothing trains. */
    @Test
    void tooFewImagesForTheGateAreRefusedBeforeTrainingSayingHowManyMoreAreNeeded() throws IOException {
        Run run = finetune(List.of("--model", serving.toString(), "--no-publish", "--min-held-out", "16"));

        assertThat(run.exit()).as("stderr: %s", run.err()).isEqualTo(FineTuneCommand.TOO_FEW_SAMPLES);
        assertThat(run.err()).contains("too few samples to fine-tune and judge the candidate")
                .contains("the 16 recent images hold out 1 (by content)")
                .contains("about 90 more recent images are needed")
                .contains("no candidate was made").doesNotContain("fine-tuning bounded");
        assertThat(run.out()).isEmpty();
        Path runs = temp.resolve("state").resolve("finetune");
        assertThat(Files.exists(runs) ? Files.list(runs).toList() : List.of()).as("no candidate").isEmpty();
    }

    @Test
    void anExistingOutputIsRefusedBeforeAnyTraining() throws IOException {
        Path taken = Files.createDirectories(temp.resolve("taken"));
        Files.writeString(taken.resolve("config.json"), "{}");

        Run run = finetune(List.of("--model", serving.toString(), "--no-publish", "--out", taken.toString()));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("--out " + taken + " already exists").doesNotContain("fine-tuning");
    }

    @Test
    void againstTheRegistryAFailingCandidateIsRejectedWithItsFiguresAndAPassingOnePromoted() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(temp.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            Path secret = Files.writeString(temp.resolve("secret"), s3.settings().secretKey());
            String parent;
            try (ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {
                parent = registry.publish(serving);
                registry.promote(parent, "test");
            }
            List<String> connections = List.of("--kafka", kafka.settings().bootstrapServers(), "--s3-endpoint",
                    s3.endpoint(), "--s3-access-key", s3.settings().accessKey(), "--s3-secret-key-file",
                    secret.toString());

            Run rejected = finetune(connections); // the default floors: 20 dB, which 5 steps in all do not reach
            List<String> lenient = new ArrayList<>(connections);
            lenient.addAll(LENIENT);
            lenient.addAll(List.of("--seed", "2"));
            Run promoted = finetune(lenient);

            assertThat(rejected.exit()).as("stderr: %s", rejected.err()).isEqualTo(FineTuneCommand.REJECTED);
            assertThat(rejected.json().get("registryState").asText()).isEqualTo("REJECTED");
            assertThat(rejected.json().at("/gate/reason").asText()).startsWith("failed the gate:")
                    .contains("below the floor 20.00 dB");
            assertThat(promoted.exit()).as("stderr: %s", promoted.err()).isZero();
            assertThat(promoted.json().get("registryState").asText()).isEqualTo("PROMOTED");
            assertThat(promoted.json().get("parentVersion").asText()).as("the registry's serving version")
                    .isEqualTo(parent);
            try (ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {
                ModelHistory history = registry.history();
                String bad = rejected.json().get("version").asText();
                String good = promoted.json().get("version").asText();
                assertThat(history.serving()).contains(good);
                assertThat(history.versions().get(bad).state()).isEqualTo(ModelEventType.REJECTED);
                assertThat(history.versions().get(bad).figures()).containsKeys("recent.psnr", "older.psnrChange");
                assertThat(history.versions().get(bad).reason()).startsWith("failed the gate:");
                assertThat(history.versions().get(good).state()).isEqualTo(ModelEventType.PROMOTED);
                assertThat(history.versions().get(good).reason()).startsWith("passed the gate: recent ");
                assertThat(history.versions().get(good).figures()).as("the gate's recent figures, from"
                        + " metrics.json at publication").containsKeys("psnr", "ssim");
                ModelEvent promotion = history.events().stream().filter(e -> e.getVersion().equals(good)
                        && e.getType() == ModelEventType.PROMOTED).findFirst().orElseThrow();
                assertThat(promotion.getFigures()).as("the gate's figures on the promotion itself")
                        .containsKeys("recent.psnr", "older.psnrChange");
                ModelEvent publication = history.events().stream().filter(e -> e.getVersion().equals(good)
                        && e.getType() == ModelEventType.PUBLISHED).findFirst().orElseThrow();
                assertThat(publication.getAttributes()).as("the request that made it")
                        .containsEntry(CandidatePublisher.REQUEST_ID, promoted.json().get("requestId").asText());
            }
        }
    }
}
