package io.latentflow.model.finetune;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FineTunePlanTest {

    @Test
    void stepsGrowWithTheImagesAndTheReplayShareWithinBounds() {
        FineTunePlan modest = FineTunePlan.of(280, 120, 16);
        assertThat(modest.steps()).as("two passes over 400 images").isEqualTo(800);
        assertThat(FineTunePlan.of(280, 0, 16).steps()).as("no replay, fewer steps").isEqualTo(560);
        assertThat(FineTunePlan.of(20, 8, 16).steps()).as("at least").isEqualTo(FineTunePlan.MIN_STEPS);
        assertThat(FineTunePlan.of(100_000, 40_000, 16).steps()).as("at most").isEqualTo(FineTunePlan.MAX_STEPS);
        assertThat(FineTunePlan.of(280, 120, 8).steps()).as("half the crops a step, twice the steps").isEqualTo(1500);
    }

    @Test
    void fewRecentImagesGetAGentlerRate() {
        assertThat(FineTunePlan.of(256, 100, 16).learningRate()).isEqualTo(FineTunePlan.BASE_LEARNING_RATE);
        assertThat(FineTunePlan.of(64, 100, 16).learningRate()).isCloseTo(1.5e-4, within(1e-12));
        assertThat(FineTunePlan.of(4, 0, 16).learningRate()).isEqualTo(FineTunePlan.MIN_LEARNING_RATE);
    }

    @Test
    void itValidatesAboutTenTimesARunWithThePatienceOfThree() {
        FineTunePlan plan = FineTunePlan.of(280, 120, 16);
        assertThat(plan.earlyStopping().everySteps()).isEqualTo(80);
        assertThat(plan.earlyStopping().patience()).isEqualTo(3);
        assertThat(FineTunePlan.of(10, 0, 16).earlyStopping().everySteps()).isEqualTo(25);
    }
}
