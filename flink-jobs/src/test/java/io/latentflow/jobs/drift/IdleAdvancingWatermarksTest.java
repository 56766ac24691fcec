package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

/** A partition's watermark after a burst: held while images may still come, then moving on with the clock. */
class IdleAdvancingWatermarksTest {

    private long now = 1_000_000;
    private final Output output = new Output();
    private final IdleAdvancingWatermarks<String> watermarks =
            new IdleAdvancingWatermarks<>(Duration.ofSeconds(5), Duration.ofSeconds(60), () -> now);

    @Test
    void whileImagesArriveTheWatermarkTrailsTheNewestEventTime() {
        watermarks.onEvent("a", now, output);
        now += 1_000;
        watermarks.onEvent("b", now, output);
        watermarks.onPeriodicEmit(output);

        assertThat(output.last()).isEqualTo(now - 5_000 - 1);
    }

    @Test
    void aBurstThenSilenceMovesTheWatermarkOnWithTheClockOnceIdle() {
        long burstEnd = now;
        watermarks.onEvent("a", burstEnd, output);

        now += 59_000; // not idle yet: held where the burst left it
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(burstEnd - 5_001);

        now += 1_000; // idle for a minute: as far as if images had kept arriving
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(now - 5_001);

        now += 30_000;
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(now - 5_001);
        assertThat(output.idle).isFalse();
    }

    @Test
    void anImageStampedBeforeThePauseDoesNotMoveTheWatermarkBack() {
        watermarks.onEvent("a", now, output);
        now += 120_000;
        watermarks.onPeriodicEmit(output);
        long advanced = output.last();

        watermarks.onEvent("late", now - 100_000, output);
        watermarks.onPeriodicEmit(output);

        assertThat(output.last()).isEqualTo(advanced);
    }

    @Test
    void aPartitionWithoutImagesIsMarkedIdleInsteadOfHoldingTheOthersBack() {
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();

        now += 60_000;
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
        assertThat(output.emitted).isEmpty();
    }

    private static final class Output implements WatermarkOutput {
        final List<Long> emitted = new ArrayList<>();
        boolean idle;

        long last() {
            return emitted.get(emitted.size() - 1);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
