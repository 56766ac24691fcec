package io.latentflow.model.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EarlyStoppingTest {

    @Test
    void itStopsAfterPatienceValidationsWithoutAGainAndRemembersTheBest() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(new EarlyStopping(10, 2, 0.05));

        assertThat(tracker.validated(10, 25.0)).isTrue();
        assertThat(tracker.validated(20, 25.5)).isTrue();
        assertThat(tracker.validated(30, 25.52)).as("below the minimum gain").isFalse();
        assertThat(tracker.shouldStop()).isFalse();
        assertThat(tracker.validated(40, 25.1)).isFalse();

        assertThat(tracker.shouldStop()).isTrue();
        assertThat(tracker.bestStep()).isEqualTo(20);
        assertThat(tracker.best()).isEqualTo(25.5);
    }

    @Test
    void aGainResetsThePatience() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(new EarlyStopping(10, 2, 0));
        tracker.validated(10, 20);
        tracker.validated(20, 19);
        tracker.validated(30, 21);
        tracker.validated(40, 20);

        assertThat(tracker.shouldStop()).isFalse();
        assertThat(tracker.bestStep()).isEqualTo(30);
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new EarlyStopping(0, 3, 0.01)).hasMessageContaining("positive steps");
    }
}
