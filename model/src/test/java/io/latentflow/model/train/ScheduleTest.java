package io.latentflow.model.train;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScheduleTest {

    @Test
    void learningRateWarmsUpHoldsThenDecaysToATenthOverTheLastFifth() {
        LearningRateSchedule schedule = new LearningRateSchedule(1e-3, 100);
        assertThat(schedule.at(0, 0)).isCloseTo(1e-5, within(1e-12));
        assertThat(schedule.at(49, 0.1)).isCloseTo(5e-4, within(1e-12));
        assertThat(schedule.at(500, 0.5)).isEqualTo(1e-3);
        assertThat(schedule.at(500, 0.8)).isEqualTo(1e-3);
        assertThat(schedule.at(500, 0.9)).isCloseTo(1e-3 * 0.55, within(1e-12));
        assertThat(schedule.at(500, 1.0)).isCloseTo(1e-4, within(1e-12));
    }

    @Test
    void budgetEndsAtWhicheverLimitComesFirstAndCountsProgressByTheNearerOne() {
        TrainingBudget both = new TrainingBudget(100, Duration.ofMinutes(10));
        assertThat(both.exhausted(99, Duration.ofMinutes(9))).isFalse();
        assertThat(both.exhausted(100, Duration.ofMinutes(1))).isTrue();
        assertThat(both.exhausted(5, Duration.ofMinutes(10))).isTrue();
        assertThat(both.progress(50, Duration.ofMinutes(8))).isCloseTo(0.8, within(1e-9));
        assertThat(TrainingBudget.minutes(0.5).time()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> new TrainingBudget(0, null)).hasMessageContaining("no budget");
        assertThatThrownBy(() -> TrainingBudget.minutes(-1)).hasMessageContaining("minutes is -1");
    }

    @Test
    void emaDecayRampsUpToItsTarget() {
        assertThat(WeightAverage.decayAt(0.999, 0)).isCloseTo(0.1, within(1e-12));
        assertThat(WeightAverage.decayAt(0.999, 90)).isCloseTo(0.91, within(1e-12));
        assertThat(WeightAverage.decayAt(0.999, 100_000)).isEqualTo(0.999);
    }

    @Test
    void stepGeneratorsDependOnlyOnSeedAndStep() {
        assertThat(StepRandom.forStep(1, 5).nextLong()).isEqualTo(StepRandom.forStep(1, 5).nextLong());
        assertThat(StepRandom.forStep(1, 5).nextLong()).isNotEqualTo(StepRandom.forStep(1, 6).nextLong());
        assertThat(StepRandom.forStep(1, 5).nextLong()).isNotEqualTo(StepRandom.forStep(2, 5).nextLong());
    }
}
