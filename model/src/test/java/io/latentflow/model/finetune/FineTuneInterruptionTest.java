package io.latentflow.model.finetune;

import io.latentflow.model.SampleTiles;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainerConfig;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A caller that gives up on a fine-tune (the continuous-training job's timeout) interrupts its thread: both forms of
 * the fine-tune stop after the step in progress, with nothing written, instead of training to the end of a budget
 * nobody waits for any more.
 */
class FineTuneInterruptionTest {

    /** Far more steps than a test could wait for: only the interrupt ends the run. */
    private static final long ENDLESS = 1_000_000;

    @TempDir
    Path temp;

    @Test
    void aFineTuneOfTheProjectsOwnModelStopsWhenItsThreadIsInterrupted() throws Exception {
        Path photos = Files.createDirectories(temp.resolve("photos"));
        for (Path file : SampleTiles.of("photos", "Autumn", "Kite")) {
            Files.copy(file, photos.resolve(file.getFileName()));
        }
        Path serving;
        try (Trainer trainer = new Trainer(TrainerConfig.builder(photos, temp.resolve("serving"))
                .budget(TrainingBudget.steps(1)).batchSize(2).threads(1).progress(quiet()).build())) {
            serving = trainer.run().modelDir();
        }

        assertStopsOnInterrupt(serving);
    }

    @Test
    void aDecoderFineTuneOfAnImportedVaeStopsWhenItsThreadIsInterrupted() throws Exception {
        Path serving = temp.resolve("imported");
        ImportedVae.read(Path.of("src/test/resources/diffusers/sd-f32")).save(serving, "imported-sd");

        assertStopsOnInterrupt(serving);
    }

    private void assertStopsOnInterrupt(Path serving) throws Exception {
        CountDownLatch firstStep = new CountDownLatch(1);
        AtomicLong steps = new AtomicLong();
        TrainingListener counting = progress -> {
            steps.set(progress.step());
            firstStep.countDown();
        };
        Path output = temp.resolve("candidate");
        FineTuneOptions options = FineTuneOptions.builder(serving, SampleTiles.of("illustrations", "Altai", "Flow"),
                        SampleTiles.of("photos", "Autumn"), output)
                .budget(TrainingBudget.steps(ENDLESS)).batchSize(2).cropSize(32).threads(1).learningRate(1e-4)
                .scope(FineTuneScope.DECODER).listener(counting).progress(quiet()).build();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread training = new Thread(() -> {
            try {
                FineTuner.run(options);
            } catch (Throwable e) {
                ended.set(e);
            }
        }, "fine-tune-under-test");
        training.start();

        assertThat(firstStep.await(120, TimeUnit.SECONDS)).as("the fine-tune took a first step").isTrue();
        training.interrupt();
        training.join(TimeUnit.SECONDS.toMillis(60));

        assertThat(training.isAlive()).as("the training thread after its interrupt").isFalse();
        assertThat(ended.get()).isInstanceOf(InterruptedIOException.class)
                .hasMessageContaining("training interrupted after step").hasMessageContaining("nothing was written");
        assertThat(steps.get()).isLessThan(ENDLESS);
        assertThat(Files.exists(output) && Files.list(output).findAny().isPresent())
                .as("no model version written at " + output).isFalse();
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }
}
