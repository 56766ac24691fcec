package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.SigningKeys;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingState;
import io.latentflow.schemas.TrainingTrigger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The continuous loop on a service that trusts only signed versions: a candidate the training job publishes with the
 * service's signing key is downloaded by the encoders' check ({@code ModelStore.download} with the trusted keys, as
 * {@code ServedModels} calls it); one published without a key is refused there as unsigned.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SignedCandidatesTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final FineTuneRun.Listener UNWATCHED = progress -> { };

    @TempDir
    Path work;

    @Test
    void aCandidateSignedWithTheServicesKeyIsServedAndAnUnsignedOneRefused() throws Exception {
        SigningKeys.Generated key = SigningKeys.generate(work.resolve("keys"));
        Path trustedDir = Files.createDirectories(work.resolve("trusted"));
        Files.copy(key.publicKey(), trustedDir.resolve(key.publicKey().getFileName()));
        TrustedKeys trusted = TrustedKeys.load(trustedDir);
        FineTuneSettings unsigned = FineTuneSettings.defaults(64, SAMPLES.resolve("photos"), work.resolve("tune"))
                .withSteps(2).withTraining(32, 2)
                .withThresholds(new GateThresholds(10, 0.2, 0, 0.2, 1.2, 1_000_000, 100, -100, 4));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {

            FineTuneRun.Outcome signed = new FineTuneRun(registry, null, unsigned.withSignKey(key.privateKey()))
                    .run(request("signed"), UNWATCHED);

            assertThat(signed.state()).as(signed.reason()).isEqualTo(TrainingState.PROMOTED);
            assertThat(registry.history().events()).filteredOn(e -> e.getType() == ModelEventType.PUBLISHED)
                    .singleElement().satisfies(published -> assertThat(published.getAttributes())
                            .containsEntry(ModelRegistry.SIGNED_BY, key.keyId()));
            Path served = registry.download(signed.candidate(), work.resolve("served"), trusted);
            assertThat(ModelDirectory.verify(served).version()).isEqualTo(signed.candidate());

            FineTuneRun.Outcome withoutKey = new FineTuneRun(registry, null, unsigned).run(request("unsigned"),
                    UNWATCHED);

            assertThat(withoutKey.state()).as(withoutKey.reason()).isEqualTo(TrainingState.PROMOTED);
            assertThatThrownBy(() -> registry.download(withoutKey.candidate(), work.resolve("refused"), trusted))
                    .isInstanceOf(TrustedKeys.UntrustedVersionException.class)
                    .hasMessageContaining("model version " + withoutKey.candidate() + " is unsigned");
        }
    }

    private static TrainingRequest request(String id) {
        return TrainingRequest.newBuilder().setRequestId(id).setRequestedAt(Instant.now())
                .setTrigger(TrainingTrigger.USER).setReason("test")
                .setRecentImages(SAMPLES.resolve("illustrations").toString()).build();
    }
}
