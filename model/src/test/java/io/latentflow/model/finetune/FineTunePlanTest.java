package io.latentflow.model.finetune;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FineTunePlanTest {

    @Test
    void stepsGrowWithTheImagesAndTheReplayShareWithinBounds() {
        FineTunePlan modest = FineTunePlan.of(280, 120, FineTunePlan.CROP_SIZE, FineTunePlan.BATCH_SIZE);
        assertThat(modest.steps()).as("two passes over 400 images").isEqualTo(800);
        assertThat(FineTunePlan.of(280, 0, 128, 4).steps()).as("no replay, fewer steps").isEqualTo(560);
        assertThat(FineTunePlan.of(20, 8, 128, 4).steps()).as("at least").isEqualTo(FineTunePlan.MIN_STEPS);
        assertThat(FineTunePlan.of(100_000, 40_000, 128, 4).steps()).as("at most")
                .isEqualTo(FineTunePlan.MAX_STEPS);
        assertThat(FineTunePlan.of(280, 120, 128, 2).steps()).as("half the crops a step, twice the steps")
                .isEqualTo(1500);
    }

    @Test
    void aStepSeesAbout256SquarePixelsWhateverTheCropSize() {
        assertThat(FineTunePlan.of(280, 120, 64, 16).steps()).as("16 crops of 64 px").isEqualTo(800);
        assertThat(FineTunePlan.of(280, 120, 128, 16).steps()).as("16 crops of 128 px: 4 images a step")
                .isEqualTo(200);
    }

    @Test
    void aServiceOfSmallImagesCropsItsWholeImagesAndTakesMoreOfThemAStep() {
        assertThat(FineTunePlan.cropSizeFor(256)).isEqualTo(FineTunePlan.CROP_SIZE);
        assertThat(FineTunePlan.cropSizeFor(64)).isEqualTo(64);
        assertThat(FineTunePlan.batchSizeFor(FineTunePlan.CROP_SIZE)).isEqualTo(FineTunePlan.BATCH_SIZE);
        assertThat(FineTunePlan.batchSizeFor(64)).isEqualTo(16);
        assertThat(FineTunePlan.batchSizeFor(512)).isEqualTo(1);
    }

    @Test
    void aFineTuneTrainsOnCropsLargeEnoughForTheDecoderToSeeWholeShapes() {
        assertThat(FineTunePlan.CROP_SIZE).as("measured: 64 px crops lost PSNR on held-out illustrations")
                .isEqualTo(128);
        assertThat((long) FineTunePlan.BATCH_SIZE * FineTunePlan.CROP_SIZE * FineTunePlan.CROP_SIZE)
                .isEqualTo(FineTunePlan.IMAGE_PIXELS);
        assertThat(FineTuneOptions.builder(Path.of("serving"), List.of(Path.of("a.png")), List.of(), Path.of("out"))
                .replayShare(0).build()).satisfies(options -> {
                    assertThat(options.cropSize()).isEqualTo(FineTunePlan.CROP_SIZE);
                    assertThat(options.batchSize()).isEqualTo(FineTunePlan.BATCH_SIZE);
                });
    }

    @Test
    void fewRecentImagesGetAGentlerRate() {
        assertThat(FineTunePlan.of(256, 100, 128, 4).learningRate()).isEqualTo(FineTunePlan.BASE_LEARNING_RATE);
        assertThat(FineTunePlan.of(64, 100, 128, 4).learningRate()).isCloseTo(1.5e-4, within(1e-12));
        assertThat(FineTunePlan.of(4, 0, 128, 4).learningRate()).isEqualTo(FineTunePlan.MIN_LEARNING_RATE);
    }

    @Test
    void itValidatesAboutTenTimesARunWithThePatienceOfThree() {
        FineTunePlan plan = FineTunePlan.of(280, 120, 128, 4);
        assertThat(plan.earlyStopping().everySteps()).isEqualTo(80);
        assertThat(plan.earlyStopping().patience()).isEqualTo(3);
        assertThat(FineTunePlan.of(10, 0, 128, 4).earlyStopping().everySteps()).isEqualTo(25);
    }
}
